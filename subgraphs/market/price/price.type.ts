import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { formatDecimal } from '../../../providers/http/scaled-decimal.js';
import type { AggregatedPrice } from './price.model.js';

export enum QuoteEnum {
  USD = 'USD',
  IRT = 'IRT',
}
registerEnumType(QuoteEnum, {
  name: 'Quote',
  description: 'Currency a price is quoted in: US dollars or Toman (IRT; 1 Toman = 10 Rial).',
});

@ObjectType('Price', {
  description: 'The platform price of one asset: the median of the price sources that were fresh.',
})
export class PriceType {
  @Field(() => String, { description: 'The asset symbol the price was asked for (USDT_TRON).' })
  symbol!: string;

  @Field(() => String, { description: 'The market it is the price of (USDT).' })
  coin!: string;

  @Field(() => QuoteEnum)
  quote!: QuoteEnum;

  @Field(() => String, { description: 'Price of one unit, exact, as a decimal string ("5.21834712"); never a float.' })
  value!: string;

  @Field(() => Int, { description: 'Digits after the decimal point in `value`.' })
  scale!: number;

  @Field(() => String, {
    nullable: true,
    description: 'Change over 24 hours in percent ("-1.25"), when the sources give one.',
  })
  change24h!: string | null;

  @Field(() => Int, { description: 'How many sources were fresh and went into the median.' })
  sourceCount!: number;

  @Field(() => [String], { description: 'Their names (coingecko, coinmarketcap, nobitex).' })
  sources!: string[];

  @Field(() => Date, {
    description: 'Time of the oldest observation in the price: every input is at least this recent.',
  })
  updatedAt!: Date;

  static from(symbol: string, price: AggregatedPrice): PriceType {
    const t = new PriceType();
    t.symbol = symbol;
    t.coin = price.coin;
    t.quote = price.quote as QuoteEnum;
    t.value = formatDecimal(price.value);
    t.scale = price.value.scale;
    t.change24h = price.change24hPercent ? formatDecimal(price.change24hPercent) : null;
    t.sourceCount = price.sources.length;
    t.sources = price.sources;
    t.updatedAt = price.updatedAt;
    return t;
  }
}
