// Renders each LaTeX string of a JSON array (read from stdin) with real KaTeX, in display mode as
// st.latex does, and prints a JSON array of {ok, error, warnings} in the same order. throwOnError:
// a parse error is reported, never drawn in red; strict "warn" notes are collected as warnings.
import katex from "katex";

console.warn = () => {};  // KaTeX notes each glyph it has no metrics for: the strict notes below say enough

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const results = JSON.parse(input).map((tex) => {
  const warnings = [];
  try {
    const html = katex.renderToString(tex, {
      displayMode: true, throwOnError: true,
      strict: (code, msg) => { warnings.push(`${code}: ${msg}`); return "ignore"; },
    });
    return { ok: !html.includes("katex-error"), error: null, warnings };
  } catch (e) {
    return { ok: false, error: String(e.message || e), warnings };
  }
});
process.stdout.write(JSON.stringify(results));
