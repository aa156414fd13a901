// A local stand-in for the X API v2 in integration tests.
import { createServer } from 'node:http';

// A fake X API v2: checks each request against the published shape, records it, and answers
// from a script of behaviours ('ok', 'rate-limit', 'hold').
export class FakeX {
  // `accessToken`: the bearer token it accepts.
  constructor(accessToken) {
    this.accessToken = accessToken;
    this.requests = [];
    this.script = [];
    this.held = [];
    this.ids = [];  // the ids of the posts it made, in order
    this.nextId = 1860000000000000001n;
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => this.handle(req, res, body));
    });
  }
  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${this.server.address().port}`;
  }
  async stop() {
    for (const res of this.held) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
  handle(req, res, raw) {
    const problem = (status, detail) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ title: 'Invalid Request', detail, type: 'about:blank', status }));
    };
    let body;
    try { body = JSON.parse(raw); } catch { return problem(400, 'body is not JSON'); }
    this.requests.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
    const dm = /^\/2\/dm_conversations\/with\/(\d+)\/messages$/.exec(req.url);
    if (req.method !== 'POST' || (req.url !== '/2/tweets' && !dm)) return problem(404, 'unknown endpoint');
    if (req.headers.authorization !== `Bearer ${this.accessToken}`) {
      return problem(401, 'Unauthorized');
    }
    if (!req.headers['content-type']?.startsWith('application/json')) {
      return problem(400, 'content-type must be application/json');
    }
    if (typeof body.text !== 'string' || body.text.length === 0 ||
        (body.reply && !/^\d+$/.test(body.reply.in_reply_to_tweet_id))) {
      return problem(400, 'text and reply.in_reply_to_tweet_id do not have the published shape');
    }
    const behaviour = this.script.shift() ?? 'ok';
    if (behaviour === 'hold') { this.held.push(res); return; }
    if (behaviour === 'rate-limit') {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1',
        'x-rate-limit-remaining': '0' });
      return res.end(JSON.stringify({ title: 'Too Many Requests', detail: 'Too Many Requests',
        type: 'about:blank', status: 429 }));
    }
    const id = String(this.nextId++);
    if (dm) {
      res.writeHead(201, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ data: { dm_conversation_id: `${dm[1]}-1`, dm_event_id: id } }));
    }
    this.ids.push(id);
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: { id, text: body.text, edit_history_tweet_ids: [id] } }));
  }
}
