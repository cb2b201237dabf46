package io.varflow.pipeline.cli;

import picocli.CommandLine.IVersionProvider;

/** Version from the jar manifest, or "dev" when running from classes. */
public final class VarflowVersion implements IVersionProvider {

    public static String version() {
        String v = VarflowVersion.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"varflow " + version()};
    }
}
