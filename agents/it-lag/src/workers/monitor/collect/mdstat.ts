import type { RaidArray } from "@lag/contracts";

/**
 * Linux software RAID from /proc/mdstat:
 *
 *   md1 : active raid5 sdd1[3](F) sdc1[1] sde1[0]
 *         1953260544 blocks super 1.2 level 5, 512k chunk, algorithm 2 [3/2] [UU_]
 *         [=>...................]  recovery =  8.5% (83058176/976630272) finish=104.2min speed=142848K/sec
 *
 * A member marked (F) has failed, (S) is a spare; `[3/2]` is members wanted / working. An array is
 * degraded when fewer work than it wants, when a member failed, or when it is inactive.
 */
export function parseMdstat(text: string): RaidArray[] {
  const out: RaidArray[] = [];
  let cur: RaidArray | undefined;
  for (const line of text.split("\n")) {
    const head = /^(md\S*)\s*:\s*(active|inactive)\s*(.*)$/.exec(line);
    if (head) {
      let rest = head[3]!.trim();
      const readOnly = /^\((auto-)?read-only\)\s*/.exec(rest);
      if (readOnly) rest = rest.slice(readOnly[0].length);
      const words = rest.split(/\s+/).filter(Boolean);
      const level = words[0] && !words[0].includes("[") ? words.shift() : undefined;
      const failed: string[] = [];
      const spares: string[] = [];
      let members = 0;
      for (const w of words) {
        const m = /^([^[\s]+)\[\d+\]((?:\([A-Z]\))*)$/.exec(w);
        if (!m) continue;
        members++;
        if (m[2]!.includes("(F)")) failed.push(m[1]!);
        else if (m[2]!.includes("(S)")) spares.push(m[1]!);
      }
      const inUse = members - failed.length - spares.length;
      cur = {
        array: head[1]!,
        ...(level ? { level } : {}),
        state: head[2] as RaidArray["state"],
        readOnly: readOnly !== null,
        devices: inUse + failed.length,
        activeDevices: inUse,
        failed,
        spares,
        degraded: head[2] === "inactive" || failed.length > 0,
      };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    if (line.trim() === "") {
      cur = undefined;
      continue;
    }
    const counts = /\[(\d+)\/(\d+)\]\s+\[([U_]+)\]/.exec(line);
    if (counts) {
      cur.devices = Number(counts[1]);
      cur.activeDevices = Number(counts[2]);
      if (cur.activeDevices < cur.devices) cur.degraded = true;
    }
    const sync = /(recovery|resync|reshape|check|repair)\s*=\s*([\d.]+)%(?:.*finish=([\d.]+)min)?/.exec(line);
    if (sync) {
      cur.sync = { action: sync[1]!, pct: Math.min(100, Number(sync[2])), ...(sync[3] ? { finishMin: Number(sync[3]) } : {}) };
    } else if (/resync=(PENDING|DELAYED)/.test(line)) {
      cur.sync = { action: "resync", pct: 0 };
    }
  }
  return out;
}
