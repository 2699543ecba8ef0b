// The Plumb extension: starts `plumb lsp` and connects VS Code to it.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function serverCommand() {
  const configured = vscode.workspace.getConfiguration('plumb').get('server.path');
  return configured && configured.trim() !== '' ? configured : 'plumb';
}

async function activate(context) {
  const command = serverCommand();
  const serverOptions = {
    run: { command, args: ['lsp'] },
    debug: { command, args: ['lsp'] },
  };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'plumb' },
      { scheme: 'untitled', language: 'plumb' },
    ],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.plumb'),
    },
  };
  client = new LanguageClient('plumb', 'Plumb', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.commands.registerCommand('plumb.restartServer', async () => {
      if (client) {
        await client.restart();
      }
    }),
  );
  try {
    await client.start();
  } catch (err) {
    vscode.window.showErrorMessage(
      `Plumb: could not start \`${command} lsp\` (${err && err.message ? err.message : err}). ` +
        'Install plumb (`cargo install --path .` in the plumb repository) or set `plumb.server.path`.',
    );
  }
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
