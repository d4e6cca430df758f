import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';

/**
 * ASL definition → ELK graph. Pure: no layout, no DOM. Map and Parallel states become compound nodes holding
 * their inner machine (a Parallel state one compound per branch), so ELK lays each out inside its parent.
 */
export interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next?: string }[];
  Catch?: { Next?: string }[];
  Iterator?: AslMachine;
  ItemProcessor?: AslMachine;
  Branches?: AslMachine[];
}

export interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
}

export type EdgeKind = 'next' | 'choice' | 'default' | 'catch';

/** What the renderer needs to know of a node besides its geometry. */
export interface NodeInfo {
  kind: 'state' | 'branch' | 'terminal';
  label: string;
  /** The ASL type of a state (Task, Choice, Map, ...). */
  type?: string;
  /** The state's name as history events name it (states only). */
  stateName?: string;
}

export interface StateGraph {
  root: ElkNode;
  nodes: Map<string, NodeInfo>;
  edgeKinds: Map<string, EdgeKind>;
}

export const NODE_HEIGHT = 36;
const CHARACTER_WIDTH = 7.4;
const MIN_NODE_WIDTH = 96;
const COMPOUND_PADDING = '[top=34,left=14,bottom=14,right=14]';

const nodeWidth = (label: string) => Math.max(MIN_NODE_WIDTH, Math.ceil(label.length * CHARACTER_WIDTH) + 28);

export function isAslMachine(value: unknown): value is AslMachine {
  if (typeof value !== 'object' || value === null) return false;
  const machine = value as Record<string, unknown>;
  return typeof machine.StartAt === 'string' && typeof machine.States === 'object' && machine.States !== null;
}

/** The states a state may go to next, with why. */
function transitions(state: AslState): { target: string; kind: EdgeKind }[] {
  const out: { target: string; kind: EdgeKind }[] = [];
  if (state.Next) out.push({ target: state.Next, kind: 'next' });
  for (const choice of state.Choices ?? [])
    if (choice.Next) out.push({ target: choice.Next, kind: 'choice' });
  if (state.Default) out.push({ target: state.Default, kind: 'default' });
  for (const handler of state.Catch ?? [])
    if (handler.Next) out.push({ target: handler.Next, kind: 'catch' });
  return out;
}

const isTerminal = (state: AslState) =>
  state.End === true || state.Type === 'Succeed' || state.Type === 'Fail';

export function aslToElk(definition: AslMachine): StateGraph {
  const nodes = new Map<string, NodeInfo>();
  const edgeKinds = new Map<string, EdgeKind>();
  let counter = 0;
  const nextId = (prefix: string) => `${prefix}${counter++}`;

  const addEdge = (edges: ElkExtendedEdge[], source: string, target: string, kind: EdgeKind) => {
    const id = nextId('e');
    edges.push({ id, sources: [source], targets: [target] });
    edgeKinds.set(id, kind);
  };

  /** Lays one machine's states into `container`; returns the ids of its first state and its terminal states. */
  const fill = (container: ElkNode, machine: AslMachine): { start?: string; ends: string[] } => {
    const children: ElkNode[] = [];
    const edges: ElkExtendedEdge[] = [];
    const idOf = new Map<string, string>();
    for (const name of Object.keys(machine.States)) idOf.set(name, nextId('s'));
    const ends: string[] = [];
    for (const [name, state] of Object.entries(machine.States)) {
      const id = idOf.get(name) as string;
      children.push(stateNode(id, name, state));
      for (const { target, kind } of transitions(state)) {
        const targetId = idOf.get(target);
        if (targetId) addEdge(edges, id, targetId, kind);
      }
      if (isTerminal(state)) ends.push(id);
    }
    container.children = children;
    container.edges = edges;
    return { start: idOf.get(machine.StartAt), ends };
  };

  const stateNode = (id: string, name: string, state: AslState): ElkNode => {
    nodes.set(id, { kind: 'state', label: name, type: state.Type, stateName: name });
    const inner = state.ItemProcessor ?? state.Iterator;
    if (state.Type === 'Map' && isAslMachine(inner)) {
      const node: ElkNode = { id, layoutOptions: { 'elk.padding': COMPOUND_PADDING } };
      fill(node, inner);
      return node;
    }
    if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
      const branches = state.Branches.filter(isAslMachine).map((branch, index) => {
        const branchId = nextId('b');
        nodes.set(branchId, { kind: 'branch', label: `${index + 1}` });
        const node: ElkNode = { id: branchId, layoutOptions: { 'elk.padding': COMPOUND_PADDING } };
        fill(node, branch);
        return node;
      });
      return {
        id,
        children: branches,
        layoutOptions: { 'elk.padding': COMPOUND_PADDING, 'elk.direction': 'RIGHT' },
      };
    }
    return { id, width: nodeWidth(name), height: NODE_HEIGHT };
  };

  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'SEPARATE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '24',
      'elk.edgeRouting': 'ORTHOGONAL',
    },
  };
  const { start, ends } = fill(root, definition);
  const startId = 'start';
  const endId = 'end';
  nodes.set(startId, { kind: 'terminal', label: '(start)' });
  nodes.set(endId, { kind: 'terminal', label: '(end)' });
  root.children?.unshift({ id: startId, width: 72, height: 28 });
  root.children?.push({ id: endId, width: 72, height: 28 });
  if (start) addEdge(root.edges as ElkExtendedEdge[], startId, start, 'next');
  for (const end of ends) addEdge(root.edges as ElkExtendedEdge[], end, endId, 'next');
  // Inner machines inherit the layered algorithm and direction unless they set their own.
  const inherit = (node: ElkNode) => {
    for (const child of node.children ?? []) {
      if (child.children?.length) {
        child.layoutOptions = { ...root.layoutOptions, ...child.layoutOptions };
        inherit(child);
      }
    }
  };
  inherit(root);
  return { root, nodes, edgeKinds };
}
