import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Candle } from './candle.store.js';

export enum TimeframeEnum {
  M1 = 'M1',
  M5 = 'M5',
  H1 = 'H1',
  D1 = 'D1',
}
registerEnumType(TimeframeEnum, {
  name: 'Timeframe',
  description: 'Candle width: 1 minute, 5 minutes, 1 hour, 1 day (UTC days).',
});

@ObjectType('Candle', {
  description:
    'Open/high/low/close of the platform price over one bucket, built from the ticks the price feed stored. ' +
    'Buckets without ticks are absent. There is no volume: the platform price is a median across providers, which trade nothing themselves.',
})
export class CandleType {
  @Field(() => Date, { description: 'Start of the bucket.' })
  time!: Date;

  @Field(() => String)
  open!: string;

  @Field(() => String)
  high!: string;

  @Field(() => String)
  low!: string;

  @Field(() => String)
  close!: string;

  @Field(() => Int, { description: 'Ticks the candle was built from.' })
  ticks!: number;

  static from(c: Candle): CandleType {
    const t = new CandleType();
    t.time = c.time;
    t.open = c.open;
    t.high = c.high;
    t.low = c.low;
    t.close = c.close;
    t.ticks = c.tickCount;
    return t;
  }
}
