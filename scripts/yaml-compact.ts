import { Document, isMap, isScalar, isSeq, visit } from 'yaml';

/**
 * YAML for configs people read: leaf objects (a register field, a device, a zone,
 * a building) on one line each, everything else in block style.
 */
export function compactYaml(value: unknown): string {
  const doc = new Document(value);
  const isFlat = (node: unknown): boolean =>
    isMap(node) &&
    node.items.every((p) => isScalar(p.value) || (isSeq(p.value) && p.value.items.every(isScalar)));
  visit(doc, {
    Map(_, node) {
      const hasId = node.items.some((p) => isScalar(p.key) && p.key.value === 'id');
      const leafWithId =
        hasId &&
        node.items.every(
          (p) =>
            isScalar(p.value) ||
            (isSeq(p.value) && p.value.items.every((v) => isScalar(v) || isFlat(v))),
        );
      if (isFlat(node) || leafWithId) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}
