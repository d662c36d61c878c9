/** Send a GraphQL operation to a running gateway and read `{ data, errors }`. */
export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown> }[];
}

export async function gql<T = Record<string, any>>(baseUrl: string, query: string, opts: { key?: string; variables?: Record<string, unknown> } = {}): Promise<GraphQLResponse<T>> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}) },
    body: JSON.stringify({ query, variables: opts.variables }),
  });
  const body = (await res.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: res.status, ...body };
}

/** Wait for a queued job to complete or fail (up to a minute) and read it: status, progress, result, error. */
export async function finished(gw: { url: string }, id: string, key: string): Promise<Record<string, any>> {
  for (let i = 0; i < 1200; i++) {
    const r = await gql(gw.url, `{ job(id: "${id}") { status progressDone progressTotal result error } }`, { key });
    if (r.data?.job.status === 'completed' || r.data?.job.status === 'failed') return r.data!.job;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`job ${id} did not finish`);
}
