/**
 * {@code camel} (the Camel JBang CLI) started from a plain classpath: the same commands and options, e.g.
 * {@code run routes/*.yaml application.properties --dep=G:A:V}.
 */
public final class CamelCli {
    private CamelCli() {
    }

    public static void main(String[] args) {
        try {
            org.apache.camel.dsl.jbang.core.commands.CamelJBangMain.run(args);
        } catch (Throwable e) {
            // the CLI leaves non-daemon threads behind when start-up fails: without this the JVM would stay up
            e.printStackTrace();
            System.exit(1);
        }
    }
}
