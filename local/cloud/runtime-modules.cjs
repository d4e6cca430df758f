// The module path of Lambda's Node.js runtime, for the bundles the local cloud runs. On Lambda a function finds
// Node's built-ins, what its own directory holds (/var/task/node_modules) and the AWS SDK for JavaScript v3 of the
// runtime (/var/runtime/node_modules, on NODE_PATH): `@aws-sdk/*` only, its `@smithy/*` packages nested out of
// reach. Here the SDK is this project's own (its node_modules, as locked), and nothing else is found: without this,
// a bundle under .tenggat/cdk.out would find every package of the project by walking up, and a missing one would
// only show on AWS. Plain CommonJS: the sandbox shim and tests load it without a TypeScript loader.
'use strict';
const { existsSync } = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

/** What the runtime provides besides Node's built-ins (the bundles leave exactly these out: lib/function-specs.ts). */
const RUNTIME_PROVIDED = /^@aws-sdk\/[^/]+/;

const isPath = (request) => request.startsWith('.') || path.isAbsolute(request);
const packageName = (request) =>
  request
    .split('/')
    .slice(0, request.startsWith('@') ? 2 : 1)
    .join('/');

function notFound(request, parent) {
  const error = new Error(`Cannot find module '${request}'\nRequire stack:\n- ${parent.filename}`);
  error.code = 'MODULE_NOT_FOUND';
  return error;
}

/** Makes code under `taskRoot` resolve packages as it would on Lambda; returns a function that undoes it. */
function provideRuntimeModules(taskRoot) {
  const root = path.resolve(taskRoot) + path.sep;
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function resolveAsLambda(request, parent, isMain, options) {
    const fromTask = typeof parent?.filename === 'string' && parent.filename.startsWith(root);
    if (!fromTask || isPath(request) || Module.isBuiltin(request)) {
      return resolve.call(this, request, parent, isMain, options);
    }
    // The runtime's SDK: resolved from here, this project's node_modules standing for /var/runtime/node_modules.
    if (RUNTIME_PROVIDED.test(request))
      return resolve.call(this, request, parent, isMain, { paths: [__dirname] });
    // A package the asset itself carries (/var/task/node_modules); none of the project's others.
    if (existsSync(path.join(root, 'node_modules', packageName(request)))) {
      return resolve.call(this, request, parent, isMain, options);
    }
    throw notFound(request, parent);
  };
  return () => {
    Module._resolveFilename = resolve;
  };
}

module.exports = { provideRuntimeModules, RUNTIME_PROVIDED };
