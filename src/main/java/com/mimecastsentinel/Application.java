package com.mimecastsentinel;

import com.mimecastsentinel.config.ConfigurationException;
import org.apache.camel.main.Main;

/**
 * {@code java -jar target/mimecast-sentinel.jar}: camel-main with application.properties and routes/*.yaml from
 * the working directory (the copies packaged in the jar when they are absent). Exits non-zero when start-up fails
 * or, with RUN_ONCE, when a log type failed.
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] args) {
        boolean local = java.nio.file.Files.isDirectory(java.nio.file.Path.of("routes"));
        boolean localProperties = java.nio.file.Files.isRegularFile(java.nio.file.Path.of("application.properties"));
        Main main = new Main();
        main.setPropertyPlaceholderLocations(localProperties ? "file:application.properties"
                : "classpath:application.properties");
        main.configure().withRoutesIncludePattern(local ? "file:routes/*.yaml" : "classpath:routes/*.yaml");
        try {
            int code = main.run(args);
            if (code != 0) {
                return code;
            }
            Throwable failure = main.getCamelContext() == null ? null : null;
            return failure == null ? RunController.exitCode() : 1;
        } catch (Exception e) {
            return startupFailed(e);
        }
    }

    static int startupFailed(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConfigurationException config) {
                System.err.println(config.getMessage());
                return 2;
            }
        }
        System.err.println("Start-up failed: " + e);
        return 1;
    }
}
