// The knowledge-base editor's Markdown toolbar: each button (and Ctrl/Cmd+B, I, K in the text) edits the Markdown in
// the textarea — it wraps the selected words (**bold**, *italic*, `code`, [a link](https://…)) or marks the selected
// lines (## heading, - bullets, 1. numbers, > quote); pressed again on marked text it takes the mark off.
// Edits go through execCommand("insertText") where the browser has it, so Ctrl+Z undoes them like typing; the input
// event that follows refreshes the live preview (htmx listens for it).

const WRAPS = {
  bold: { mark: "**", placeholder: "bold text" },
  italic: { mark: "*", placeholder: "italic text" },
  code: { mark: "`", placeholder: "code" },
};
const LINE_MARKS = { heading: "## ", bullets: "- ", quote: "> " };
const SHORTCUTS = { b: "bold", i: "italic", k: "link" };

function replace(textarea, start, end, text, selectFrom, selectTo) {
  textarea.focus();
  textarea.setSelectionRange(start, end);
  const undoable = typeof document.execCommand === "function" && document.execCommand("insertText", false, text);
  if (!undoable) {
    textarea.setRangeText(text, start, end, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }
  textarea.setSelectionRange(selectFrom, selectTo);
}

function wrap(textarea, { mark, placeholder }) {
  const { selectionStart: start, selectionEnd: end, value } = textarea;
  const before = value.slice(Math.max(0, start - mark.length), start);
  const after = value.slice(end, end + mark.length);
  if (before === mark && after === mark && (mark !== "*" || value.slice(start - 2, start) !== "**")) {
    const words = value.slice(start, end);
    replace(textarea, start - mark.length, end + mark.length, words, start - mark.length, end - mark.length);
    return;
  }
  const words = value.slice(start, end) || placeholder;
  const from = start + mark.length;
  replace(textarea, start, end, `${mark}${words}${mark}`, from, from + words.length);
}

function codeBlock(textarea) {
  const { selectionStart: start, selectionEnd: end, value } = textarea;
  const code = value.slice(start, end).replace(/\n$/, "");
  const text = `\`\`\`\n${code}\n\`\`\``;
  replace(textarea, start, end, text, start + 4, start + 4 + code.length);
}

function link(textarea) {
  const { selectionStart: start, selectionEnd: end, value } = textarea;
  const selected = value.slice(start, end);
  if (/^(https?:\/\/|mailto:)\S+$/.test(selected)) {
    const words = "link text";
    replace(textarea, start, end, `[${words}](${selected})`, start + 1, start + 1 + words.length);
    return;
  }
  const words = selected || "link text";
  const address = "https://";
  const from = start + words.length + 3;
  replace(textarea, start, end, `[${words}](${address})`, from, from + address.length);
}

// The whole lines the selection touches.
function selectedLines(textarea) {
  const { selectionStart, selectionEnd, value } = textarea;
  const start = value.lastIndexOf("\n", selectionStart - 1) + 1;
  const stop = value.indexOf("\n", selectionEnd > selectionStart && value[selectionEnd - 1] === "\n" ? selectionEnd - 1 : selectionEnd);
  const end = stop === -1 ? value.length : stop;
  return { start, end, lines: value.slice(start, end).split("\n") };
}

function markLines(textarea, action) {
  const { start, end, lines } = selectedLines(textarea);
  const numbered = action === "numbers";
  const marked = (line) => (numbered ? /^\d+\. /.test(line) : line.startsWith(LINE_MARKS[action]));
  const unmark = (line) => (numbered ? line.replace(/^\d+\. /, "") : line.slice(LINE_MARKS[action].length));
  const filled = lines.filter((line) => line.trim());
  const removing = filled.length > 0 && filled.every(marked);
  let number = 0;
  const changed = lines.map((line) => {
    if (!line.trim() && lines.length > 1) return line;
    if (removing) return unmark(line);
    const bare = line.replace(/^(#{1,6} |[-*+] |\d+\. |> )/, "");
    number += 1;
    return `${numbered ? `${number}. ` : LINE_MARKS[action]}${bare}`;
  });
  const text = changed.join("\n");
  if (lines.length === 1 && !removing && !lines[0].trim()) {
    replace(textarea, start, end, text, start + text.length, start + text.length);
    return;
  }
  replace(textarea, start, end, text, start, start + text.length);
}

function apply(textarea, action) {
  if (WRAPS[action]) {
    const selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
    if (action === "code" && selected.includes("\n")) codeBlock(textarea);
    else wrap(textarea, WRAPS[action]);
  } else if (action === "link") {
    link(textarea);
  } else {
    markLines(textarea, action);
  }
}

function editorOf(element) {
  const editor = element.closest("[data-markdown-editor]");
  return editor ? editor.querySelector("textarea") : null;
}

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-md]") : null;
  const textarea = button ? editorOf(button) : null;
  if (!textarea) return;
  event.preventDefault();
  apply(textarea, button.dataset.md);
});

document.addEventListener("keydown", (event) => {
  const textarea = event.target;
  if (!(textarea instanceof HTMLTextAreaElement) || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
  const action = SHORTCUTS[event.key.toLowerCase()];
  if (!action || !editorOf(textarea)) return;
  event.preventDefault();
  apply(textarea, action);
});
