/** The frame of every page: skip link, header with navigation and the theme switch, footer. */
import type { ComponentChildren } from "../../deps/preact.ts";
import { usePage } from "../lib/context.ts";

const NAV: [string, string][] = [
  ["index.html", "Lessons"],
  ["explorer/index.html", "Convolution explorer"],
  ["results/index.html", "Results"],
  ["train/index.html", "Train"],
  ["draw/index.html", "Draw a digit"],
  ["assignments/index.html", "Assignments"],
];

export function Layout({ children }: { children: ComponentChildren }) {
  const page = usePage();
  return (
    <>
      <input type="checkbox" id="theme-toggle" class="theme-toggle" />
      <a class="skip" href="#main">Skip to the content</a>
      <header class="site-header">
        <a class="brand" href={page.href("index.html")}>litconv</a>
        <nav aria-label="Site">
          {NAV.map(([to, label]) => (
            <a href={page.href(to)} aria-current={page.path === to ? "page" : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <label for="theme-toggle" class="theme-label" title="Switch light/dark">
          <span aria-hidden="true">◐</span> Theme
        </label>
      </header>
      <main id="main">{children}</main>
      <footer class="site-footer">
        litconv: convolutional networks, naive loops beside TensorFlow.js. Generated from the lesson
        modules and the run folders by <code>deno task site:build</code>.
      </footer>
    </>
  );
}
