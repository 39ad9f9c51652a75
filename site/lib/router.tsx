/**
 * File-system routes, in Fresh's shape: `site/routes/index.tsx` is the home page,
 * `routes/results.tsx` is `results/`, `routes/lessons/[slug].tsx` is one page per value its
 * `paths()` returns, `routes/_404.tsx` the not-found page. A route module exports its
 * component as `default`, a `load(params)` that fetches its data (Fresh's handler) and a
 * `title(data)`.
 *
 * Pages live at `<route>/index.html` so that every link can name a file: the static build
 * then works from a plain folder (file://) as well as on any static host.
 *
 * @module
 */
import type { VNode } from "../../deps/preact.ts";
import { PageContext } from "./context.ts";
import { renderDocument } from "./page.tsx";

/** What a route file exports. */
export interface RouteModule<D = unknown> {
  default: (props: { data: D }) => VNode | null;
  load(params: Record<string, string>): Promise<D>;
  title(data: D): string;
  paths?(): Promise<Record<string, string>[]>;
}

/** One route: its file and the output path pattern (`lessons/[slug]/index.html`). */
export interface Route {
  file: string;
  pattern: string;
  module: RouteModule;
}

/** One concrete page. */
export interface PageRef {
  path: string;
  route: Route;
  params: Record<string, string>;
}

export const ROUTES_DIR: string = new URL("../routes", import.meta.url).pathname;

/** Maps a route file (relative to routes/) to its output path pattern. */
export function patternOf(file: string): string {
  const stem = file.replace(/\.tsx?$/, "");
  if (stem === "_404") return "404.html";
  if (stem === "index") return "index.html";
  return `${stem.replace(/\/index$/, "")}/index.html`;
}

async function walk(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) files.push(...await walk(`${dir}/${e.name}`, `${prefix}${e.name}/`));
    else if (/\.tsx?$/.test(e.name)) files.push(`${prefix}${e.name}`);
  }
  return files.sort();
}

/** Every route under `site/routes/`. */
export async function loadRoutes(dir: string = ROUTES_DIR): Promise<Route[]> {
  const routes: Route[] = [];
  for (const file of await walk(dir)) {
    const module = await import(`file://${dir}/${file}`) as RouteModule;
    routes.push({ file, pattern: patternOf(file), module });
  }
  return routes;
}

/** Expands dynamic routes into one page per parameter set. */
export async function listPages(routes: Route[]): Promise<PageRef[]> {
  const pages: PageRef[] = [];
  for (const route of routes) {
    const sets = /\[\w+\]/.test(route.pattern) ? await route.module.paths?.() ?? [] : [{}];
    for (const params of sets) {
      const path = route.pattern.replace(/\[(\w+)\]/g, (_, k) => params[k]);
      pages.push({ path, route, params });
    }
  }
  return pages;
}

/** Renders one page; `assets` collects the outside files it links. */
export async function renderPage(
  ref: PageRef,
  assets: Map<string, string>,
  at: string = ref.path,
): Promise<string> {
  const data = await ref.route.module.load(ref.params);
  const page = new PageContext(at, assets);
  const Component = ref.route.module.default;
  return renderDocument(page, ref.route.module.title(data), <Component data={data} />);
}
