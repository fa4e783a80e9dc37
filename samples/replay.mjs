// Posts samples/conversation.json to a running Engage as one signed `standard` delivery.
// Usage: node samples/replay.mjs [baseUrl] [file]     (defaults: http://127.0.0.1:7071, conversation.json)
// The secret is Sources__Standard__Secret from the environment, else run.sh's development default.
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const base = process.argv[2] ?? "http://127.0.0.1:7071";
const file = process.argv[3] ?? join(dirname(fileURLToPath(import.meta.url)), "conversation.json");
const secret = process.env.Sources__Standard__Secret?.split(",")[0] ?? "whsec_bG9jYWwtZGV2ZWxvcG1lbnQtb25seS1zdGFuZGFyZA==";

const body = readFileSync(file, "utf8");
const id = `msg_${randomUUID().replaceAll("-", "")}`;
const timestamp = Math.floor(Date.now() / 1000).toString();
const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");

const response = await fetch(`${base}/api/webhooks/standard`, {
  method: "POST",
  headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": `v1,${signature}` },
  body,
});
console.log(response.status, await response.text());
process.exit(response.status === 202 ? 0 : 1);
