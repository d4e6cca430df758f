import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { StateGraph } from './asl-graph';

/**
 * Laid-out ELK graph → one SVG document as a string. Pure. Styling is by class only (the console's CSP allows
 * no inline styles); the current state's node carries `aria-current="step"`, states already gone through the
 * class `visited`, and every state node `data-state` so the page can show that state's events on click.
 */
export interface Marks {
  current: ReadonlySet<string>;
  visited: ReadonlySet<string>;
}

export const escapeXml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (character) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character] as string,
  );

const round = (value: number | undefined) => Math.round((value ?? 0) * 10) / 10;

function edgePath(edge: ElkExtendedEdge): string {
  return (edge.sections ?? [])
    .map((section) =>
      [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]
        .map((point, index) => `${index === 0 ? 'M' : 'L'}${round(point.x)} ${round(point.y)}`)
        .join(' '),
    )
    .join(' ');
}

function renderNode(node: ElkNode, graph: StateGraph, marks: Marks): string {
  const info = graph.nodes.get(node.id);
  if (!info) return '';
  const width = round(node.width);
  const height = round(node.height);
  const compound = (node.children?.length ?? 0) > 0;
  const name = info.stateName;
  const current = name !== undefined && marks.current.has(name);
  const visited = name !== undefined && marks.visited.has(name);
  const classes = [
    info.kind,
    info.type ? `type-${info.type.toLowerCase()}` : '',
    compound ? 'compound' : '',
    visited ? 'visited' : '',
    current ? 'current' : '',
  ].filter(Boolean);
  const attributes = [
    `class="${classes.join(' ')}"`,
    `transform="translate(${round(node.x)} ${round(node.y)})"`,
    name !== undefined ? `data-state="${escapeXml(name)}" tabindex="0" role="button"` : '',
    current ? 'aria-current="step"' : '',
  ].filter(Boolean);
  const label = info.kind === 'branch' ? `‖ ${info.label}` : info.label;
  const title = info.type ? `${info.label} (${info.type})` : info.label;
  const text = compound
    ? `<text class="label" x="10" y="20">${escapeXml(label)}</text>`
    : `<text class="label" x="${width / 2}" y="${height / 2}" text-anchor="middle" dominant-baseline="central">${escapeXml(label)}</text>`;
  const radius = info.kind === 'terminal' ? height / 2 : 6;
  return [
    `<g ${attributes.join(' ')}>`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" rx="${radius}"/>`,
    text,
    renderContents(node, graph, marks),
    '</g>',
  ].join('');
}

function renderContents(node: ElkNode, graph: StateGraph, marks: Marks): string {
  const edges = (node.edges ?? [])
    .map((edge) => {
      const kind = graph.edgeKinds.get(edge.id) ?? 'next';
      return `<path class="edge edge-${kind}" d="${edgePath(edge)}" marker-end="url(#arrow)"/>`;
    })
    .join('');
  const children = (node.children ?? []).map((child) => renderNode(child, graph, marks)).join('');
  return edges + children;
}

export function renderSvg(laidOut: ElkNode, graph: StateGraph, marks: Marks, title: string): string {
  const width = Math.ceil(laidOut.width ?? 0);
  const height = Math.ceil(laidOut.height ?? 0);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="state-graph" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="group" aria-label="${escapeXml(title)}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z"/></marker></defs>',
    renderContents(laidOut, graph, marks),
    '</svg>',
  ].join('');
}
