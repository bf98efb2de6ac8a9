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

// Judge0 CE language ids (sql/002_languages.sql).
export const LANGUAGES = [
  { id: 50, name: 'C', mode: cpp, template: '#include <stdio.h>\n\nint main(void)\n{\n\t\n\treturn 0;\n}\n' },
  { id: 54, name: 'C++', mode: cpp, template: '#include <bits/stdc++.h>\nusing namespace std;\n\nint main()\n{\n\t\n\treturn 0;\n}\n' },
  { id: 71, name: 'Python', mode: python, template: 'import sys\n\n\ndef main():\n    data = sys.stdin.read().split()\n\n\nmain()\n' },
  { id: 62, name: 'Java', mode: java, template: 'import java.util.*;\n\npublic class Main {\n    public static void main(String[] args) {\n        Scanner in = new Scanner(System.in);\n    }\n}\n' },
  { id: 63, name: 'JavaScript', mode: javascript, template: "const input = require('fs').readFileSync(0, 'utf8');\n" },
];

export function languageById(id) {
  return LANGUAGES.find((l) => l.id === Number(id)) || LANGUAGES[0];
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
        lang.of(cpp()),
        EditorView.updateListener.of((u) => { if (u.docChanged) onChange(u.state.doc.toString()); }),
        EditorView.contentAttributes.of({ 'aria-label': 'Source code' }),
      ],
    }),
  });
  return {
    view,
    get: () => view.state.doc.toString(),
    set(text, langId) {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        effects: lang.reconfigure(languageById(langId).mode()),
      });
    },
    focus: () => view.focus(),
  };
}
