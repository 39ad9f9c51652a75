/**
 * What a page knows while it renders: how far it sits below the site's root (every link is
 * relative, so the static build works from any folder and on any static host), the files
 * it references outside the build (copied by the build, served by the server), and the
 * islands it contains.
 *
 * @module
 */
import { createContext } from "../../deps/preact.ts";
import { useContext } from "../../deps/preact.ts";

/** One island instance on a page: its component's name and its props. */
export interface IslandUse {
  name: string;
  props: unknown;
  html: string;
}

/** Per-page rendering state. */
export class PageContext {
  /** The page's own path below the root, e.g. `lessons/02-conv1d/index.html`. */
  readonly path: string;
  /** Output path → source file, for files the page links that the build must copy. */
  readonly assets: Map<string, string>;
  readonly islands: IslandUse[] = [];

  constructor(path: string, assets: Map<string, string> = new Map()) {
    this.path = path;
    this.assets = assets;
  }

  /** `../` once per folder the page sits in. */
  get base(): string {
    return "../".repeat(this.path.split("/").length - 1);
  }

  /** A relative link to a site path (`results/index.html`, `static/site.css`). */
  href(to: string): string {
    return this.base + to;
  }

  /** Registers a file from outside site/ (a run's curves.svg) and returns its link. */
  asset(source: string, to: string): string {
    this.assets.set(to, source);
    return this.href(to);
  }
}

export const Ctx = createContext<PageContext>(new PageContext("index.html"));

/** The page being rendered. */
export function usePage(): PageContext {
  return useContext(Ctx);
}
