/**
 * A whole consultation round, typed by the types openapi-typescript generates from
 * ../../openapi/openapi.yaml (`npm run types` writes them to ../generated/api.d.ts).
 *
 * `make contract` compiles it with `tsc` (strict): a change of the document that breaks a
 * web or mobile client breaks the build. `node generated/round.js <base url>` (after
 * `npm run build`) plays it against a server that has the demo data.
 */
import createClient from "openapi-fetch";
import type { components, paths } from "../generated/api.js";

// Node's globals this file uses (no @types/node needed for two names).
declare const process: { argv: string[]; exit(code: number): never };

type Schemas = components["schemas"];
type PhaseKind = Schemas["PhaseKindEnum"];
type Api = ReturnType<typeof createClient<paths>>;

const DEMO_PASSWORD = "demo-numerique-2026";
const DEMO = "demo.numerique-pour-tous.fr";
const KINDS: PhaseKind[] = [
  "diagnostic",
  "proposals",
  "deliberation",
  "vote",
  "synthesis",
  "restitution",
];

let calls = 0;

/** The body of a successful answer; anything else stops the round with the error's code. */
function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  calls += 1;
  if (result.data === undefined && result.response.status !== 204) {
    const error = result.error as Schemas["Error"] | undefined;
    const fields = JSON.stringify(error?.fields ?? {});
    throw new Error(`${result.response.url}: ${result.response.status} ${error?.code ?? ""} ${fields}`);
  }
  return result.data as T;
}

/** The six phases in order, two hours each, with `open` open now. */
export function phasesWithOpen(open: PhaseKind, now = new Date()): Schemas["ConsultationPhasesInputRequest"] {
  const hour = 3_600_000;
  const opened = KINDS.indexOf(open);
  return {
    phases: KINDS.map((kind, index): Schemas["ConsultationPhaseInputRequest"] => {
      const starts = new Date(now.getTime() - hour + 2 * hour * (index - opened));
      return {
        kind,
        starts_at: starts.toISOString(),
        ends_at: new Date(starts.getTime() + 2 * hour).toISOString(),
      };
    }),
  };
}

async function signIn(baseUrl: string, email: string, password = DEMO_PASSWORD): Promise<Api> {
  const anonymous = createClient<paths>({ baseUrl });
  const created = ok(
    await anonymous.POST("/api/v1/auth/tokens/", { body: { email, password, name: "round" } }),
  );
  return createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${created.token}` } });
}

export async function round(baseUrl: string): Promise<number> {
  const anonymous = createClient<paths>({ baseUrl });
  const organizer = await signIn(baseUrl, `organisatrice@${DEMO}`);
  const facilitator = await signIn(baseUrl, `animateur@${DEMO}`);
  const moderator = await signIn(baseUrl, `moderatrice@${DEMO}`);

  // A mobile app registers without CSRF token nor session, then creates a token.
  const email = `appli-${Date.now()}@exemple.fr`;
  const password = "un-mot-de-passe-solide-2026";
  ok(
    await anonymous.POST("/api/v1/auth/register/", {
      body: { email, password, display_name: "Yanis", session: false },
    }),
  );
  const participant = await signIn(baseUrl, email, password);

  // Territory by INSEE code; the round, its phases, roles, publication.
  const grenoble = ok(
    await anonymous.GET("/api/v1/territories/", { params: { query: { insee_code: "38185" } } }),
  );
  const territory = grenoble.results[0].id;
  const created: Schemas["ConsultationOutput"] = ok(
    await organizer.POST("/api/v1/consultations/", {
      body: { title: "Numérique pour tous : Villeneuve", territory, themes: ["acces_droits"] },
    }),
  );
  const consultation_id = created.id;
  const path = { consultation_id };
  const toPhase = async (kind: PhaseKind) =>
    ok(
      await organizer.PUT("/api/v1/consultations/{consultation_id}/phases/", {
        params: { path },
        body: phasesWithOpen(kind),
      }),
    );
  await toPhase("diagnostic");
  for (const [client, role] of [
    [facilitator, "facilitator"],
    [moderator, "moderator"],
  ] as const) {
    const person = ok(await client.GET("/api/v1/me/"));
    ok(
      await organizer.POST("/api/v1/consultations/{consultation_id}/roles/", {
        params: { path },
        body: { user: person.id, role },
      }),
    );
  }
  ok(await organizer.POST("/api/v1/consultations/{consultation_id}/publish/", { params: { path } }));

  // Ask the server what is allowed rather than re-implementing the phase gate.
  const can = ok(
    await participant.GET("/api/v1/consultations/{consultation_id}/permissions/", { params: { path } }),
  );
  if (!can.submit_problem.allowed) throw new Error(`refused: ${can.submit_problem.code}`);

  // Diagnostic: a problem from the app (with an Idempotency-Key), one on paper for a card.
  const problem = ok(
    await participant.POST("/api/v1/consultations/{consultation_id}/contributions/", {
      params: { path, header: { "Idempotency-Key": crypto.randomUUID() } },
      body: {
        kind: "problem",
        title: "Pas d'ordi pour la CAF",
        body: "Impossible de faire ma declaration CAF sans ordinateur.",
        origin: "mobile",
        publish: true,
      },
    }),
  );
  const card = ok(
    await facilitator.POST("/api/v1/consultations/{consultation_id}/participant-cards/", {
      params: { path },
      body: { label: "M. D.", consent_given: true, consent_note: "oral" },
    }),
  );
  ok(
    await facilitator.POST("/api/v1/consultations/{consultation_id}/contributions/", {
      params: { path },
      body: {
        kind: "problem",
        title: "Ameli en panne de mot de passe",
        body: "Je n'arrive pas a recuperer mon mot de passe Ameli sans telephone.",
        origin: "paper",
        on_behalf_of_card: card.id,
        publish: true,
      },
    }),
  );
  const endorsed = ok(
    await facilitator.POST("/api/v1/contributions/{contribution_id}/endorsement/", {
      params: { path: { contribution_id: problem.id } },
      body: {},
    }),
  );
  const mine: boolean = endorsed.endorsed_by_me;
  const forStructures: number[] = endorsed.endorsed_for_my_structures;
  if (!mine || forStructures.length !== 0) throw new Error("endorsement not shown");

  // Proposals, a comment, a report, hide and restore.
  await toPhase("proposals");
  const proposals: Schemas["ContributionOutput"][] = [];
  for (const title of ["Des ordis en libre accès", "Des ordinateurs en accès libre", "Un café numérique"]) {
    proposals.push(
      ok(
        await participant.POST("/api/v1/consultations/{consultation_id}/contributions/", {
          params: { path },
          body: { kind: "proposal", title, body: `${title}, avec un médiateur.`, answers: [problem.id], publish: true },
        }),
      ),
    );
  }
  const comment = ok(
    await facilitator.POST("/api/v1/contributions/{contribution_id}/comments/", {
      params: { path: { contribution_id: proposals[0].id } },
      body: { body: "La médiathèque peut prêter des postes.", stance: "for" },
    }),
  );
  const placeholder = ok(
    await facilitator.DELETE("/api/v1/comments/{comment_id}/", {
      params: { path: { comment_id: comment.id } },
    }),
  );
  if (placeholder.status !== "deleted" || placeholder.body !== null) throw new Error("not a placeholder");
  ok(
    await facilitator.POST("/api/v1/contributions/{contribution_id}/reports/", {
      params: { path: { contribution_id: proposals[2].id } },
      body: { reason: "off_topic" },
    }),
  );
  const target: Schemas["ModerationTargetInputRequest"] = {
    target_kind: "contribution",
    target_id: proposals[2].id,
    reason: "Hors sujet",
  };
  ok(await moderator.POST("/api/v1/consultations/{consultation_id}/moderation/hide/", { params: { path }, body: target }));
  ok(await moderator.POST("/api/v1/consultations/{consultation_id}/moderation/restore/", { params: { path }, body: target }));
  const page = ok(
    await anonymous.GET("/api/v1/consultations/{consultation_id}/contributions/", {
      params: { path, query: { kind: "proposal", ordering: "recent", page_size: 50 } },
    }),
  );
  if (page.results.length !== 3) throw new Error("three proposals expected");

  // A majority-judgment vote: a phone ballot and a paper ballot, closed, recountable.
  const vote = ok(
    await organizer.POST("/api/v1/consultations/{consultation_id}/votes/", {
      params: { path },
      body: { title: "Quelles propositions ?", method: "majority_judgment", items: proposals.map((p) => p.id) },
    }),
  );
  await toPhase("vote");
  const choices: Record<string, number> = Object.fromEntries(proposals.map((p, i) => [String(p.id), i]));
  ok(await participant.PUT("/api/v1/votes/{vote_id}/my-ballot/", { params: { path: { vote_id: vote.id } }, body: { choices } }));
  ok(
    await facilitator.POST("/api/v1/votes/{vote_id}/paper-ballots/", {
      params: { path: { vote_id: vote.id } },
      body: { lines: proposals.map((p) => ({ card: card.id, item: p.id, value: 2 })) },
    }),
  );
  ok(await organizer.POST("/api/v1/votes/{vote_id}/close/", { params: { path: { vote_id: vote.id } } }));
  const results = ok(await anonymous.GET("/api/v1/votes/{vote_id}/results/", { params: { path: { vote_id: vote.id } } }));
  const digest: string | null = results.ballots_digest;
  const ballots = ok(
    await anonymous.GET("/api/v1/votes/{vote_id}/ballots.csv", {
      params: { path: { vote_id: vote.id } },
      parseAs: "text",
    }),
  );
  if (!digest || typeof ballots !== "string") throw new Error("ballot file missing");

  // Synthesis: merge, an action from the cluster, the organizer's decision.
  await toPhase("synthesis");
  const merged = ok(
    await facilitator.POST("/api/v1/consultations/{consultation_id}/clusters/", {
      params: { path },
      body: { contributions: [proposals[0].id, proposals[1].id], reason: "Même idée" },
    }),
  );
  const action = ok(
    await facilitator.POST("/api/v1/consultations/{consultation_id}/candidate-actions/", {
      params: { path },
      body: { title: "Ordinateurs en libre accès accompagnés", clusters: [merged.cluster.id], contributions: [problem.id] },
    }),
  );
  const scores: Schemas["CandidateActionScoresOutput"] | null = action.scores;
  const coverage: number[] = scores?.territory_coverage.territory_ids ?? [];
  ok(
    await organizer.PUT("/api/v1/candidate-actions/{action_id}/decision/", {
      params: { path: { action_id: action.id } },
      body: { decision: "retained" },
    }),
  );

  // Restitution: answer what is left (allowed in this phase too), publish, read the plan.
  await toPhase("restitution");
  const unanswered = ok(
    await organizer.GET("/api/v1/consultations/{consultation_id}/unanswered-contributions/", { params: { path } }),
  );
  for (const contribution of unanswered.results) {
    ok(
      await organizer.PUT("/api/v1/contributions/{contribution_id}/answer/", {
        params: { path: { contribution_id: contribution.id } },
        body: { text: "Merci : reprise dans le plan." },
      }),
    );
  }
  ok(await organizer.POST("/api/v1/consultations/{consultation_id}/plan/versions/", { params: { path }, body: {} }));
  const plan = ok(await anonymous.GET("/api/v1/consultations/{consultation_id}/plan/", { params: { path } }));
  const snapshot: Schemas["PlanSnapshot"] = plan.snapshot;
  const firstAction: Schemas["PlanSnapshotAction"] | undefined = snapshot.actions[0];
  if (snapshot.consultation.id !== consultation_id || !firstAction) throw new Error("empty plan");
  const zip = ok(
    await anonymous.GET("/api/v1/consultations/{consultation_id}/open-data.zip", {
      params: { path },
      parseAs: "arrayBuffer",
    }),
  );
  ok(await organizer.POST("/api/v1/consultations/{consultation_id}/archive/", { params: { path } }));
  return calls + coverage.length * 0 + (zip instanceof ArrayBuffer ? 0 : 0);
}

const target = process.argv[2];
if (target) {
  round(target).then(
    (count) => console.log(`typescript round: ${count} calls, all answered as documented`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
