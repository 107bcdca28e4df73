import { describe, expect, it } from "vitest";
import { ProofInputError } from "../../../gateway/src/proof/errors.js";
import { responseForProof } from "../../../gateway/src/proof/responseForProof.js";

const chunks = [
  { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "ingot-1", choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }] },
  { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "ingot-1", choices: [{ index: 0, delta: { content: "café ☕" }, logprobs: null, finish_reason: null }] },
  { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "ingot-1", choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }] },
];
const proofChunk = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "ingot-1", choices: [], proof: { proof_id: "prf_1" } };
const sse = (events: unknown[], eol = "\n") => events.map((e) => `data: ${JSON.stringify(e)}${eol}${eol}`).join("") + `data: [DONE]${eol}${eol}`;

describe("responseForProof", () => {
  it("reads a raw event stream as its events without the proof event and [DONE], with LF or CRLF line ends", () => {
    expect(responseForProof(sse([...chunks, proofChunk]))).toEqual(chunks);
    expect(responseForProof(sse([...chunks, proofChunk], "\r\n"))).toEqual(chunks);
  });

  it("reads a stream cut short (no proof event, no [DONE]) as the events received", () => {
    expect(responseForProof(chunks.slice(0, 2).map((e) => `data: ${JSON.stringify(e)}\n\n`).join(""))).toEqual(chunks.slice(0, 2));
  });

  it("reads a JSON array of chunks, as a client library yields them, without the proof chunk", () => {
    expect(responseForProof(JSON.stringify([...chunks, proofChunk]))).toEqual(chunks);
  });

  it("reads a whole body as the body without its proof field", () => {
    const body = { id: "chatcmpl-2", object: "chat.completion", choices: [], usage: { prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 } };
    expect(responseForProof(JSON.stringify({ ...body, proof: { proof_id: "prf_2" } }))).toEqual(body);
  });

  it("refuses text that is neither JSON nor an event stream, and a stream event that is not JSON", () => {
    expect(() => responseForProof("hello")).toThrow(ProofInputError);
    expect(() => responseForProof("data: {nope\n\n")).toThrow(/not JSON/);
  });
});
