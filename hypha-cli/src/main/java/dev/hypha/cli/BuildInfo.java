package dev.hypha.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The version and build facts of this {@code hypha}: from the jar manifest when running the shaded jar, else from
 * the {@code hypha-build.properties} resource Maven fills in at build time (so no git is needed at run time).
 */
public final class BuildInfo implements IVersionProvider {

    private static final String RESOURCE = "/dev/hypha/cli/hypha-build.properties";

    /** The version string, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        String fromManifest = BuildInfo.class.getPackage().getImplementationVersion();
        return fromManifest != null ? fromManifest : properties().getProperty("version", "unknown");
    }

    private static Properties properties() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return properties;
    }

    @Override
    public String[] getVersion() {
        Properties build = properties();
        return new String[] {
            "hypha " + version(),
            "built " + build.getProperty("built", "unknown") + " with JDK " + build.getProperty("jdk", "unknown"),
            "running on Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        };
    }
}
