// The code editor: CodeMirror 6 with a mode per language.  Tab is left to
// the browser (focus moves on), so the page stays usable with a keyboard;
// Ctrl/Cmd+Enter runs.
import { EditorView, basicSetup } from 'codemirror';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import { cpp } from '@codemirror/lang-cpp';
import { python } from '@codemirror/lang-python';
import { java } from '@codemirror/lang-java';
import { javascript } from '@codemirror/lang-javascript';

// What the editor knows of a language: its CodeMirror mode and a starting
// template.  Which languages exist comes from GET /languages (the enabled
// rows of the database); those are matched here by Judge0 id, else by
// name, else edited as plain text.
const TEMPLATES = {
  c: '#include <stdio.h>\n\nint main(void)\n{\n\t\n\treturn 0;\n}\n',
  cpp: '#include <bits/stdc++.h>\nusing namespace std;\n\nint main()\n{\n\t\n\treturn 0;\n}\n',
  python: 'import sys\n\n\ndef main():\n    data = sys.stdin.read().split()\n\n\nmain()\n',
  java: 'import java.util.*;\n\npublic class Main {\n    public static void main(String[] args) {\n        Scanner in = new Scanner(System.in);\n    }\n}\n',
  javascript: "const input = require('fs').readFileSync(0, 'utf8');\n",
};
const KINDS = {
  c: { mode: cpp, template: TEMPLATES.c },
  cpp: { mode: cpp, template: TEMPLATES.cpp },
  python: { mode: python, template: TEMPLATES.python },
  java: { mode: java, template: TEMPLATES.java },
  javascript: { mode: javascript, template: TEMPLATES.javascript },
  plain: { mode: null, template: '' },
};
// Judge0 CE 1.13 ids (sql/002_languages.sql), then names ("C (GCC 9.2.0)").
const BY_ID = { 50: 'c', 54: 'cpp', 71: 'python', 62: 'java', 63: 'javascript' };
const BY_NAME = [
  [/^c\+\+/i, 'cpp'],
  [/^c(\s|\(|$)/i, 'c'],
  [/^python/i, 'python'],
  [/^java(\s|\(|$)/i, 'java'],
  [/^(javascript|node)/i, 'javascript'],
];

// {mode, template} for a language {id, name} (either may be missing).
export function languageSupport(lang) {
  const id = lang && lang.id;
  const name = (lang && lang.name) || '';
  let kind = BY_ID[id];
  if (!kind) {
    const m = BY_NAME.find(([re]) => re.test(name));
    kind = m ? m[1] : 'plain';
  }
  return KINDS[kind];
}

export function createEditor(parent, { onChange, onRun }) {
  const lang = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: '',
      extensions: [
        Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => { onRun(); return true; } }])),
        basicSetup,
        lang.of([]),
        EditorView.updateListener.of((u) => { if (u.docChanged) onChange(u.state.doc.toString()); }),
        EditorView.contentAttributes.of({ 'aria-label': 'Source code' }),
      ],
    }),
  });
  return {
    view,
    get: () => view.state.doc.toString(),
    // text, and the language {id, name} whose mode to use.
    set(text, language) {
      const { mode } = languageSupport(language);
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        effects: lang.reconfigure(mode ? mode() : []),
      });
    },
    focus: () => view.focus(),
  };
}
