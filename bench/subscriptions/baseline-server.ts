import 'reflect-metadata';
import { createServer } from 'node:http';
import { GraphQLEnumType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { connect } from 'nats';
import { WebSocketServer } from 'ws';
import { gatewayProcess } from '../../platform/config/config.js';

/**
 * The brief's reference point (section 11): a minimal graphql-ws 6 + ws 8 server whose one NATS
 * subscription feeds every socket. Each subscription filters the events itself and graphql-ws executes and
 * serialises the result per subscriber, as a plain graphql-ws server does. No auth, no follow-up query.
 */
interface PricePayload {
  coin: string;
  quote: string;
  value: string;
  change24h: string | null;
  updatedAt: string;
}

const config = gatewayProcess.load(process.env);
const port = Number(process.env.BASELINE_PORT ?? 4770);
const nc = await connect({ servers: config.nats.url });
const listeners = new Set<(p: PricePayload) => void>();
const sub = nc.subscribe(`${config.nats.subjectPrefix}market.price.updated`);
void (async () => {
  for await (const msg of sub) {
    const payload = (JSON.parse(new TextDecoder().decode(msg.data)) as { payload: PricePayload }).payload;
    for (const listener of listeners) listener(payload);
  }
})();

async function* prices(symbols: string[] | null, quote: string | null): AsyncGenerator<PricePayload> {
  const queue: PricePayload[] = [];
  let wake: (() => void) | null = null;
  const listener = (p: PricePayload) => {
    if ((symbols && !symbols.includes(p.coin)) || (quote && p.quote !== quote)) return;
    queue.push(p);
    wake?.();
  };
  listeners.add(listener);
  try {
    for (;;) {
      while (queue.length) yield queue.shift()!;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    listeners.delete(listener);
  }
}

const Quote = new GraphQLEnumType({ name: 'Quote', values: { USD: {}, IRT: {} } });
const Price = new GraphQLObjectType({
  name: 'Price',
  fields: {
    symbol: { type: new GraphQLNonNull(GraphQLString), resolve: (p: PricePayload) => p.coin },
    quote: { type: new GraphQLNonNull(Quote) },
    value: { type: new GraphQLNonNull(GraphQLString) },
    change24h: { type: GraphQLString },
    updatedAt: { type: new GraphQLNonNull(GraphQLString) },
  },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString, resolve: () => 'ok' } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      priceUpdated: {
        type: new GraphQLNonNull(Price),
        args: { symbols: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) }, quote: { type: Quote } },
        subscribe: (_root, args: { symbols?: string[] | null; quote?: string | null }) =>
          prices(args.symbols ?? null, args.quote ?? null),
        resolve: (payload: PricePayload) => payload,
      },
    },
  }),
});

const http = createServer((_req, res) => res.end('ok'));
const wss = new WebSocketServer({ server: http, path: '/graphql' });
useServer({ schema }, wss);
http.listen(port, '127.0.0.1', () => process.send?.({ event: 'listening', port }));
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'memory') {
    globalThis.gc?.();
    const m = process.memoryUsage();
    process.send?.({ event: 'memory', rss: m.rss, heap: m.heapUsed });
  }
});
