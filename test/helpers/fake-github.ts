import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A comment on the fake's pull requests. */
export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  user: { login: string; type: string };
  html_url: string;
}

export interface FakeGithubOptions {
  /** The only token the fake accepts. */
  token: string;
  /** Who the token is, as GET /user answers; undefined: GET /user is refused, as for the job's GITHUB_TOKEN. */
  identity?: { login: string; type: string };
  /** Answer every write 403, as for the read-only token of a pull request from a fork. */
  readOnly?: boolean;
  /** Comments per page of a listing, whatever per_page asks, so that a few comments make several pages. */
  pageSize?: number;
}

/** A local fake of the part of the GitHub REST API that the action uses, on loopback. */
export interface FakeGithub {
  url: string;
  comments: FakeComment[];
  /** Every request: method and path with query. */
  requests: { method: string; path: string }[];
  close(): Promise<void>;
}

const ACTIONS_BOT = { login: "github-actions[bot]", type: "Bot" };

export async function startFakeGithub(options: FakeGithubOptions): Promise<FakeGithub> {
  const comments: FakeComment[] = [];
  const requests: { method: string; path: string }[] = [];
  let nextId = 1000;
  const server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    requests.push({ method: req.method ?? "", path: req.url ?? "" });
    const url = new URL(req.url ?? "/", base);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${options.token}`) return reply(401, { message: "Bad credentials" });
    if (url.pathname === "/user" && req.method === "GET") {
      return options.identity
        ? reply(200, { ...options.identity, id: 1 })
        : reply(403, { message: "Resource not accessible by integration" });
    }
    const list = /^\/repos\/octo\/org-users\/issues\/(\d+)\/comments$/.exec(url.pathname);
    if (list && req.method === "GET") {
      const issue = Number(list[1]);
      const all = comments.filter((c) => c.issue === issue);
      const size = options.pageSize ?? Number(url.searchParams.get("per_page") ?? 30);
      const page = Number(url.searchParams.get("page") ?? 1);
      const headers: Record<string, string> = {};
      if (page * size < all.length) {
        headers.link = `<${base}repos/octo/org-users/issues/${issue}/comments?per_page=100&page=${page + 1}>; rel="next", <${base}repos/octo/org-users/issues/${issue}/comments?per_page=100&page=${Math.ceil(all.length / size)}>; rel="last"`;
      }
      return reply(200, all.slice((page - 1) * size, page * size), headers);
    }
    if (options.readOnly && (req.method === "POST" || req.method === "PATCH"))
      return reply(403, { message: "Resource not accessible by integration" });
    if (list && req.method === "POST") {
      const comment = {
        id: (nextId += 1),
        issue: Number(list[1]),
        body: JSON.parse(text).body,
        user: options.identity ?? ACTIONS_BOT,
        html_url: "",
      };
      comment.html_url = `https://github.test/octo/org-users/pull/${comment.issue}#issuecomment-${comment.id}`;
      comments.push(comment);
      return reply(201, comment);
    }
    const edit = /^\/repos\/octo\/org-users\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (edit && req.method === "PATCH") {
      const comment = comments.find((c) => c.id === Number(edit[1]));
      if (!comment) return reply(404, { message: "Not Found" });
      comment.body = JSON.parse(text).body;
      return reply(200, comment);
    }
    reply(404, { message: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url: base.slice(0, -1),
    comments,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A comment by someone else on pull request `issue`. */
export function foreignComment(
  fake: FakeGithub,
  issue: number,
  body: string,
  user = { login: "mallory", type: "User" },
): FakeComment {
  const comment = { id: fake.comments.length + 1, issue, body, user, html_url: "" };
  fake.comments.push(comment);
  return comment;
}
