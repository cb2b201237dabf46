package io.varflow.pipeline.job;

import io.varflow.operators.sample.GeneratorFactory;
import io.varflow.pipeline.config.JobConfig;
import io.varflow.pipeline.config.JobOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the varflow job: in a Flink MiniCluster in this JVM ({@link #startLocal}) or on whatever
 * cluster the environment points at ({@link #execute}, e.g. under {@code flink run}).
 */
public final class JobRunner {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private JobRunner() {}

    /**
     * Starts the job in a local MiniCluster and returns at once; {@link LocalJob#close()} cancels
     * it.
     */
    public static LocalJob startLocal(JobConfig config) throws Exception {
        return startLocal(config, GeneratorFactories.from(config));
    }

    /**
     * As {@link #startLocal(JobConfig)}, with the sampling operator's models from {@code
     * generators}.
     */
    public static LocalJob startLocal(JobConfig config, GeneratorFactory generators)
            throws Exception {
        LocalMonitoring monitoring = LocalMonitoring.onFreePorts();
        StreamExecutionEnvironment env = localEnvironment(config, monitoring);
        VarflowJob.build(env, config, generators);
        JobClient client = env.executeAsync(config.get(JobOptions.JOB_NAME));
        LOG.info(
                "Started job {} in a local MiniCluster; Flink dashboard {} , Prometheus metrics {}",
                client.getJobID(),
                monitoring.dashboardUrl(),
                monitoring.metricsUrl());
        return new LocalJob(client, monitoring);
    }

    /**
     * Runs the job on the environment's cluster until it ends: the cluster's under {@code flink
     * run}, else a MiniCluster in this JVM listening on {@code job.local-bind-host} only, with its
     * dashboard and Prometheus endpoint on 127.0.0.1 (addresses logged).
     */
    public static void execute(JobConfig config) throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.of(config));
        if (env instanceof LocalStreamEnvironment) {
            // No cluster: a MiniCluster in this JVM, watched like demo's (dashboard + Prometheus).
            LocalMonitoring monitoring = LocalMonitoring.onFreePorts();
            env = localEnvironment(config, monitoring);
            LOG.info(
                    "Running in a local MiniCluster; Flink dashboard {} , Prometheus metrics {}",
                    monitoring.dashboardUrl(),
                    monitoring.metricsUrl());
        }
        VarflowJob.build(env, config);
        env.execute(config.get(JobOptions.JOB_NAME));
    }

    /**
     * A MiniCluster in this JVM: its listeners on {@code job.local-bind-host}, its dashboard and
     * Prometheus endpoint where {@code monitoring} says.
     */
    private static StreamExecutionEnvironment localEnvironment(
            JobConfig config, LocalMonitoring monitoring) {
        return StreamExecutionEnvironment.createLocalEnvironment(
                config.get(JobOptions.JOB_PARALLELISM),
                monitoring.applyTo(FlinkSettings.local(config)));
    }

    /** A job running in a local MiniCluster. Closing cancels it (checkpoints are retained). */
    public static final class LocalJob implements AutoCloseable {
        private final JobClient client;
        private final LocalMonitoring monitoring;

        LocalJob(JobClient client, LocalMonitoring monitoring) {
            this.client = client;
            this.monitoring = monitoring;
        }

        /** Where the running job's dashboard and metrics are served (127.0.0.1). */
        public LocalMonitoring monitoring() {
            return monitoring;
        }

        public JobID jobId() {
            return client.getJobID();
        }

        public JobStatus status() throws Exception {
            return client.getJobStatus().get(10, TimeUnit.SECONDS);
        }

        /** Waits until the job is RUNNING (its tasks deployed), at most {@code timeout}. */
        public void awaitRunning(Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                JobStatus status = status();
                if (status == JobStatus.RUNNING) {
                    return;
                }
                if (status.isGloballyTerminalState()) {
                    throw new IllegalStateException(
                            "the job ended as " + status + " before running: " + failureOf());
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException(
                    "the job was not running within " + timeout.toSeconds() + " s");
        }

        private String failureOf() {
            try {
                client.getJobExecutionResult().get(5, TimeUnit.SECONDS);
                return "no failure";
            } catch (Exception e) {
                Throwable t = e;
                while (t.getCause() != null) {
                    t = t.getCause();
                }
                return t.toString();
            }
        }

        /** Cancels the job and waits (at most 60 s) until it is gone. */
        @Override
        public void close() throws Exception {
            JobStatus status;
            try {
                status = status();
            } catch (Exception e) {
                return; // the MiniCluster is already gone
            }
            if (!status.isGloballyTerminalState()) {
                client.cancel().get(60, TimeUnit.SECONDS);
            }
            try {
                client.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            } catch (Exception expected) {
                // A cancelled job completes its result future exceptionally.
            }
        }
    }
}
