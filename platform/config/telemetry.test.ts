import { describe, expect, it } from 'vitest';
import { gatewayProcess, ledgerProcess, ConfigError } from './config.js';
import { telemetrySettings } from './telemetry.js';

describe('telemetry configuration', () => {
  it('is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set, in every process', () => {
    expect(gatewayProcess.load({}).telemetry).toEqual({ endpoint: null, serviceName: null });
    expect(ledgerProcess.load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).telemetry).toEqual({
      endpoint: 'http://127.0.0.1:4318',
      serviceName: null,
    });
    expect(gatewayProcess.variables).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
    expect(ledgerProcess.variables).toContain('OTEL_SERVICE_NAME');
  });

  it('reports a bad endpoint with the other problems; the bootstrap leaves tracing off for it', () => {
    const bad = { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url', OTEL_SERVICE_NAME: 'has spaces' };
    let problems: string[] = [];
    try {
      gatewayProcess.load(bad);
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems.some((p) => p.startsWith('OTEL_EXPORTER_OTLP_ENDPOINT:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('OTEL_SERVICE_NAME:'))).toBe(true);
    expect(telemetrySettings(bad)).toEqual({ endpoint: null, serviceName: null });
    expect(
      telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'gw-1' }),
    ).toEqual({ endpoint: 'http://collector:4318', serviceName: 'gw-1' });
  });
});
