// The Jaeger datasource's query (the foundation SDK ships builders for Tempo, not Jaeger): a
// trace search by service, operation and tags, as Grafana's Jaeger query editor saves it.
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import { JAEGER } from './datasources.ts';

export interface JaegerQuery extends Dataquery {
  refId: string;
  datasource: DataSourceRef;
  queryType: 'search';
  service: string;
  operation?: string;
  /** logfmt, e.g. `error=true saga.name=place-order` */
  tags?: string;
  minDuration?: string;
  limit?: number;
}

export class JaegerSearchBuilder implements Builder<Dataquery> {
  private readonly query: JaegerQuery;

  constructor(service: string) {
    this.query = { refId: 'A', datasource: JAEGER, queryType: 'search', service, _implementsDataqueryVariant() {} };
  }

  build(): JaegerQuery {
    return this.query;
  }

  refId(refId: string): this {
    this.query.refId = refId;
    return this;
  }

  tags(tags: string): this {
    this.query.tags = tags;
    return this;
  }

  limit(limit: number): this {
    this.query.limit = limit;
    return this;
  }
}
