/**
 * Boots the built app (argv[2], dist/main/main.cjs) in plain node with the stand-in resolved for
 * `electron`, then takes commands on stdin, one per line: "click" (the tray icon), "state" (the
 * State's level, as the page would ask), "key <accelerator>" (an app menu item's keys, e.g.
 * CmdOrCtrl+, for Settings, CmdOrCtrl+Q for Quit), "invoke <page> <channel>" (an argument-less
 * IPC call from app://warden/<page>), "shortcut <accelerator>" (a global shortcut), "quit" (the tray menu's Quit).
 */
'use strict';
const Module = require('node:module');
const path = require('node:path');
const { createInterface } = require('node:readline');

const STAND_IN = path.join(__dirname, 'index.cjs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'electron' ? STAND_IN : resolve.call(this, request, ...rest);
};

const electron = require(STAND_IN);
require(path.resolve(process.argv[2]));
electron.__standIn.ready();

const { appendFileSync } = require('node:fs');
const record = (type, detail) => appendFileSync(process.env.WARDEN_STUB_EVENTS, `${JSON.stringify({ type, at: Date.now(), ...detail })}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim();
  if (command === 'click') electron.__standIn.tray().emit('click', {}, electron.__standIn.tray().getBounds());
  else if (command === 'state') {
    Promise.resolve(electron.__standIn.invoke('state:get')).then(
      (state) => record('state', { level: state.level, stale: state.stale, services: state.services.map((s) => ({ name: s.name, state: s.state })) }),
      (error) => record('state-error', { message: String(error) }),
    );
  } else if (command.startsWith('shortcut ')) {
    electron.__standIn.shortcut(command.slice(9));
  } else if (command.startsWith('key ')) {
    electron.__standIn.accelerator(command.slice(4));
  } else if (command.startsWith('invoke ')) {
    const [, page, channel] = command.split(' ');
    Promise.resolve(electron.__standIn.invokeFrom(`app://warden/${page}`, channel)).then(
      (result) => record('invoked', { channel, page, result: result === undefined ? null : result }),
      (error) => record('invoke-error', { channel, page, message: String(error) }),
    );
  } else if (command === 'quit') electron.app.quit();
});
