package io.varflow.pipeline.cli;

import io.varflow.pipeline.bench.BenchLatencyCommand;
import io.varflow.pipeline.bench.BenchPipelineCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code varflow} command line. Each subcommand is its own class; register new ones in {@code
 * subcommands} below. Bad arguments and unusable files end with one line on stderr and exit code 2
 * (see {@link CliErrors}).
 */
@Command(
        name = "varflow",
        mixinStandardHelpOptions = true,
        versionProvider = VarflowVersion.class,
        description = "VAR image generation and editing: sampling, encoding and the streaming job.",
        subcommands = {
            CommandLine.HelpCommand.class,
            SampleCommand.class,
            EncodeCommand.class,
            EditCommand.class,
            BenchCommand.class,
            DemoCommand.class,
            RunCommand.class,
            JobCommand.class,
            SubmitCommand.class,
            EvalCommand.class,
            ShowCommand.class,
            BenchPipelineCommand.class,
            BenchLatencyCommand.class,
        })
public final class VarflowCli implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /**
     * Builds the command line with varflow's error handling; also used by tests to run commands
     * in-process.
     */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new VarflowCli());
        cli.setExecutionExceptionHandler(CliErrors::handleExecutionException);
        cli.setParameterExceptionHandler(CliErrors::handleParameterException);
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
