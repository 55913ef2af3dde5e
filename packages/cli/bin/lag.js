#!/usr/bin/env node
// The `lag` command for `npx lag` and a global link. The sources are TypeScript run through tsx (a
// devDependency of the repository, found by walking up from here), registered in this process so
// signals, stdin and exit codes stay the CLI's own.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
