import type { ELK } from 'elkjs/lib/elk-api';
import { type AslMachine, aslToElk } from './asl-graph';
import { type Marks, renderSvg } from './svg';

/** ASL → laid-out SVG. ELK is passed in: the browser loads it on demand, tests construct it directly. */
export async function drawStateMachine(
  elk: ELK,
  definition: AslMachine,
  marks: Marks,
  title: string,
): Promise<string> {
  const graph = aslToElk(definition);
  const laidOut = await elk.layout(graph.root);
  return renderSvg(laidOut, graph, marks, title);
}
