/** prom-client metrics: exchanges by operation and outcome, their latency, and refused TLS connections. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly exchanges = new Counter({
    name: 'smev_gateway_exchanges_total',
    help: 'SOAP exchanges by operation and fault code (none for success)',
    labelNames: ['operation', 'fault'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'smev_gateway_exchange_duration_seconds',
    help: 'Time from receiving a SOAP request to answering it',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });

  private readonly tlsRefusals = new Counter({
    name: 'smev_gateway_tls_refusals_total',
    help: 'TLS connections refused before any HTTP request (failed handshakes, client certificates refused)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    // The event-loop lag is sampled every 100 ms: prom-client's default of 10 ms woke an idle gateway 100 times
    // a second, for a histogram whose percentiles fewer samples tell as well.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
  }

  observe(operation: string, fault: string | undefined, seconds: number): void {
    this.exchanges.inc({ operation, fault: fault ?? 'none' });
    this.latency.observe({ operation }, seconds);
  }

  tlsRefused(reason: string): void {
    this.tlsRefusals.inc({ reason });
  }
}
