/**
 * A whole HTML document for one page: the shell (head, styles), the layout and the page's
 * body, with its islands' markers, props and boot script when it has islands.
 *
 * @module
 */
import type { VNode } from "../../deps/preact.ts";
import { renderToString } from "../../deps/preact_render_to_string.ts";
import { escapeMarkup } from "../../drawing/markup.ts";
import { Layout } from "../components/Layout.tsx";
import { Ctx, type PageContext } from "./context.ts";
import { insertIslands } from "./island.tsx";

/** Renders `body` inside the layout to a complete document. */
export function renderDocument(page: PageContext, title: string, body: VNode): string {
  const inner = renderToString(
    <Ctx.Provider value={page}>
      <Layout>{body}</Layout>
    </Ctx.Provider>,
  );
  const html = insertIslands(inner, page.islands, page.base);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>${escapeMarkup(title)} · litconv</title>
<link rel="stylesheet" href="${page.base}static/katex/katex.min.css">
<link rel="stylesheet" href="${page.base}static/site.css">
</head>
<body>
${html}
</body>
</html>
`;
}
