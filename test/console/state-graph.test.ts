import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { type AslMachine, aslToElk } from '../../console/src/graph/asl-graph';
import { drawStateMachine } from '../../console/src/graph/layout';
import { buildWorkflowDefinition } from '../../lib/workflow-definition';

const elk = new ELK();

/** 40 states in a chain with a Choice every fifth state looping back, a Catch on each Task. */
function fortyStates(): AslMachine {
  const States: AslMachine['States'] = {};
  for (let index = 0; index < 40; index += 1) {
    const name = `Step ${index}`;
    const next = index === 39 ? undefined : `Step ${index + 1}`;
    if (index % 5 === 4 && next)
      States[name] = { Type: 'Choice', Choices: [{ Next: `Step ${index - 3}` }], Default: next };
    else if (next) States[name] = { Type: 'Task', Next: next, Catch: [{ Next: 'Step 39' }] };
    else States[name] = { Type: 'Succeed' };
  }
  return { StartAt: 'Step 0', States };
}

const nested: AslMachine = {
  StartAt: 'Fan out',
  States: {
    'Fan out': {
      Type: 'Parallel',
      Next: 'Each notice',
      Branches: [
        { StartAt: 'Webhook', States: { Webhook: { Type: 'Task', End: true } } },
        {
          StartAt: 'Email',
          States: { Email: { Type: 'Task', Next: 'Sent?' }, 'Sent?': { Type: 'Pass', End: true } },
        },
      ],
    },
    'Each notice': {
      Type: 'Map',
      End: true,
      ItemProcessor: { StartAt: 'Deliver', States: { Deliver: { Type: 'Task', End: true } } },
    },
  },
};

type Box = { x: number; y: number; width: number; height: number };
const boxesOf = (svg: string, names: string[]): Box[] =>
  names.map((name) => {
    const match = new RegExp(`data-state="${name}"[^>]*>.*?<rect width="([\\d.]+)" height="([\\d.]+)"`).exec(
      svg,
    );
    const translate = new RegExp(`translate\\(([\\d.]+) ([\\d.]+)\\)"[^>]*data-state="${name}"`).exec(svg);
    if (!match || !translate) throw new Error(`no node for ${name}`);
    return {
      x: Number(translate[1]),
      y: Number(translate[2]),
      width: Number(match[1]),
      height: Number(match[2]),
    };
  });

const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('state graph (ASL → ELK → SVG)', () => {
  it('lays out 40 states without any two overlapping, and marks the current and visited ones', async () => {
    const svg = await drawStateMachine(
      elk,
      fortyStates(),
      { current: new Set(['Step 12']), visited: new Set(['Step 0', 'Step 1', 'Step 12']) },
      'Order workflow',
    );
    const names = Array.from({ length: 40 }, (_, index) => `Step ${index}`);
    const boxes = boxesOf(svg, names);
    for (let left = 0; left < boxes.length; left += 1)
      for (let right = left + 1; right < boxes.length; right += 1)
        expect(overlaps(boxes[left] as Box, boxes[right] as Box), `${names[left]} / ${names[right]}`).toBe(
          false,
        );
    expect(svg.match(/aria-current="step"/g)).toHaveLength(1);
    expect(svg).toMatch(
      /class="state type-task visited current" [^>]*data-state="Step 12"[^>]*aria-current="step"/,
    );
    expect(svg.match(/class="state[^"]*visited/g)).toHaveLength(3);
    expect(svg.match(/class="edge edge-catch"/g)?.length).toBe(32);
  });

  it('draws Map and Parallel states as compound nodes that hold their inner states', async () => {
    const graph = aslToElk(nested);
    const fanOut = graph.root.children?.find((child) => graph.nodes.get(child.id)?.stateName === 'Fan out');
    expect(fanOut?.children?.map((branch) => graph.nodes.get(branch.id)?.kind)).toEqual(['branch', 'branch']);
    const emailBranch = fanOut?.children?.[1];
    expect(emailBranch?.children?.map((child) => graph.nodes.get(child.id)?.stateName)).toEqual([
      'Email',
      'Sent?',
    ]);
    expect(emailBranch?.edges).toHaveLength(1);
    const svg = await drawStateMachine(
      elk,
      nested,
      { current: new Set(['Deliver']), visited: new Set() },
      'g',
    );
    // The current inner state is drawn inside its Map's group.
    expect(svg).toMatch(
      /data-state="Each notice"[^>]*>.*data-state="Deliver"[^>]*aria-current="step".*<\/g><\/g>/,
    );
    const [outer, inner] = [/data-state="Fan out"/, /data-state="Webhook"/].map((pattern) =>
      svg.search(pattern),
    );
    expect(outer).toBeGreaterThan(-1);
    expect(inner).toBeGreaterThan(outer as number);
  });

  it("draws the order workflow's own definition with every state", async () => {
    const definition = buildWorkflowDefinition({
      deliverWebhook: 'arn:aws:lambda:ap-southeast-3:1:function:deliver',
      emailNotice: 'arn:aws:lambda:ap-southeast-3:1:function:email',
      workflowStep: 'arn:aws:lambda:ap-southeast-3:1:function:step',
    }) as unknown as AslMachine;
    const svg = await drawStateMachine(elk, definition, { current: new Set(), visited: new Set() }, 'w');
    for (const name of Object.keys(definition.States)) expect(svg).toContain(`data-state="${name}"`);
  });

  it('escapes state names', async () => {
    const svg = await drawStateMachine(
      elk,
      { StartAt: '<a & "b">', States: { '<a & "b">': { Type: 'Pass', End: true } } },
      { current: new Set(), visited: new Set() },
      't',
    );
    expect(svg).toContain('data-state="&lt;a &amp; &quot;b&quot;&gt;"');
    expect(svg).not.toContain('<a &');
  });
});
