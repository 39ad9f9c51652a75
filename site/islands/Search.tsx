/**
 * Search over the lesson titles and section headings, as you type. The index (a few hundred
 * short strings) comes from the server as props, so the search needs no server at all.
 */
import { useState } from "../../deps/preact.ts";

/** One searchable entry: a lesson title or a section heading, and where it links. */
export interface SearchEntry {
  lesson: string;
  heading?: string;
  href: string;
}

/** Entries whose text holds every word of `query` (case-insensitive), best first. */
export function searchEntries(entries: SearchEntry[], query: string, limit = 12): SearchEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const text = (e: SearchEntry) => `${e.lesson} ${e.heading ?? ""}`.toLowerCase();
  return entries.filter((e) => words.every((w) => text(e).includes(w)))
    .sort((a, b) => Number(!!a.heading) - Number(!!b.heading))
    .slice(0, limit);
}

export default function Search({ entries }: { entries: SearchEntry[] }) {
  const [query, setQuery] = useState("");
  const found = searchEntries(entries, query);
  return (
    <div class="search" role="search">
      <label>
        Find a lesson or section{" "}
        <input
          type="search"
          value={query}
          placeholder="e.g. stride, dropout, rotation"
          data-testid="search"
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
      </label>
      {query.trim() !== "" && (
        <ul data-testid="search-results" aria-live="polite">
          {found.length === 0 && <li class="muted">Nothing matches “{query}”.</li>}
          {found.map((e) => (
            <li key={e.href}>
              <a href={e.href}>{e.heading ?? e.lesson}</a>
              {e.heading && <span class="muted">{` · ${e.lesson}`}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
