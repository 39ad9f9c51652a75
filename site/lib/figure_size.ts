/** How wide a lesson figure may grow and shrink on the page (the static and the live ones). */

/**
 * A figure's sizing, from its SVG: grown to fill its row, it stops at 1.5 times its drawn width;
 * shrunk for a phone, it stops where its smallest text would fall under 10 px, and scrolls in
 * its box instead.
 */
export function figureSizeStyle(svg: string): string | undefined {
  const drawn = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1]);
  const sizes = [...svg.matchAll(/font-size[=:]\s*"?([\d.]+)/g)].map((m) => Number(m[1]));
  const smallest = Math.min(13, ...sizes.filter((v) => v > 0));
  return drawn > 0
    ? `--fig-max: ${Math.round(1.5 * drawn)}px; --fig-min: ${Math.ceil((drawn * 10) / smallest)}px`
    : undefined;
}
