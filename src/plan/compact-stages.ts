/** Stages root first, repeats folded: "FETCH > SORT_MERGE > IXSCAN ×15". */
export function compactStages(stages: readonly string[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < stages.length) {
    let j = i;
    while (j + 1 < stages.length && stages[j + 1] === stages[i]) j++;
    out.push(j > i ? `${stages[i]} ×${j - i + 1}` : String(stages[i]));
    i = j + 1;
  }
  return out.join(' > ');
}
