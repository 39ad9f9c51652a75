/** Preact and its hooks (the JSX runtime is named in deno.json: keep its version equal). */
export * from "npm:preact@10.29.8";
export * from "npm:preact@10.29.8/hooks";
