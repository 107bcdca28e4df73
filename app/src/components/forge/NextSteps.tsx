import { forgeSteps, type PhaseLabel } from "../../model/forgeSteps.js";

/** "Where this Forge goes next": the four steps, each marked from the real phase. */
export function NextSteps({ phase }: { phase: PhaseLabel }) {
  return (
    <section className="card" aria-labelledby="next-title">
      <h2 id="next-title">Where this Forge goes next</h2>
      {phase === "FAILED" ? <p>No valid result arrived before the eval deadline: every capital position is refundable in full.</p> : null}
      <ol className="steps">
        {forgeSteps(phase).map((s) => (
          <li key={s.title} className={`step step-${s.state}`} aria-current={s.state === "current" ? "step" : undefined}>
            <strong>{s.title}</strong> <small>({s.state})</small>
            <div>{s.detail}</div>
          </li>
        ))}
      </ol>
    </section>
  );
}
