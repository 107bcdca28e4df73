import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Hex } from "viem";
import { createSseWriter } from "../../gateway/src/server/createSseWriter.js";
import type { GenerateResult, ServingEngine } from "../../gateway/src/serving/types.js";

const usageOf = (r: GenerateResult) => ({ prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, total_tokens: r.promptTokens + r.completionTokens });

/**
 * The benchmark's transport floor: POST /v1/chat/completions on bare node:http in front of the
 * serving engine, with no key, ledger, charge or proof. A streamed call (`"stream": true`) gets
 * OpenAI SSE chunks through the gateway's SSE writer, with the same flush interval; any other call
 * gets one JSON chat completion when generation ends. The gateway measured against it shows what
 * its own work adds; measured against the engine, what HTTP (and SSE) cost on this machine.
 */
export async function startBareSseServer(engine: Pick<ServingEngine, "prepare" | "generate">, adapterRoot: Hex, flushIntervalMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (raw += c));
    req.on("end", async () => {
      const body = JSON.parse(raw) as { model: string; messages: { role: "user"; content: string }[]; max_tokens: number; stream?: boolean };
      const prompt = engine.prepare({ kind: "chat", messages: body.messages }, { maxTokens: body.max_tokens });
      if (body.stream !== true) {
        const result = await engine.generate({ adapterRoot, prompt });
        const choice = { index: 0, message: { role: "assistant", content: result.text }, logprobs: null, finish_reason: result.finishReason };
        res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ id: "chatcmpl-bare", object: "chat.completion", created: 0, model: body.model, choices: [choice], usage: usageOf(result) }));
        return;
      }
      const sse = createSseWriter({ sink: res, flushIntervalMs });
      const chunk = (delta: object, finish: string | null) => ({ id: "chatcmpl-bare", object: "chat.completion.chunk", created: 0, model: body.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
      const result = await engine.generate({
        adapterRoot,
        prompt,
        onStart: () => {
          res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
          sse.send(chunk({ role: "assistant", content: "" }, null));
        },
        onToken: (piece) => sse.send(chunk({ content: piece }, null)),
      });
      sse.hold(chunk({}, result.finishReason));
      sse.hold({ id: "chatcmpl-bare", object: "chat.completion.chunk", created: 0, model: body.model, choices: [], usage: usageOf(result) });
      sse.end("data: [DONE]\n\n");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
