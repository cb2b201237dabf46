package io.varflow.pipeline.cli;

import io.varflow.model.checkpoint.CheckpointException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns failures into the command line's contract: one line naming the problem on stderr, exit code
 * 2, no stack trace (set {@code VARFLOW_DEBUG=1} to see one). Anything unexpected is a bug and
 * exits 1 with its trace.
 */
final class CliErrors {

    static final int USAGE_ERROR = 2;

    private CliErrors() {}

    static int handleParameterException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println("varflow: " + e.getMessage());
        cmd.getErr()
                .println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        return USAGE_ERROR;
    }

    static int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        String message = userFacingMessage(e);
        if (message == null) {
            e.printStackTrace(cmd.getErr());
            return 1;
        }
        cmd.getErr().println("varflow " + cmd.getCommandName() + ": " + message);
        if (System.getenv("VARFLOW_DEBUG") != null) {
            e.printStackTrace(cmd.getErr());
        }
        return USAGE_ERROR;
    }

    /** The one-line message for failures caused by the user's input, or null for bugs. */
    static String userFacingMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UserInputException
                    || t instanceof CheckpointException
                    || t instanceof IllegalArgumentException) {
                return oneLine(t.getMessage());
            }
            if (t instanceof NoSuchFileException) {
                return "no such file: " + t.getMessage();
            }
            if (t instanceof UncheckedIOException || t instanceof IOException) {
                return oneLine(t.getMessage());
            }
        }
        return null;
    }

    private static String oneLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        return message.replace('\n', ' ').strip();
    }
}
