package com.mimecastsentinel;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.mimecastsentinel.config.ConfigurationException;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.logging.Secrets;
import com.mimecastsentinel.tables.DeploymentParameters;
import com.mimecastsentinel.tables.DesiredTable;
import com.mimecastsentinel.tables.SchemaWait;
import com.mimecastsentinel.tables.TablesApi;
import com.mimecastsentinel.tables.TablesReport;
import com.mimecastsentinel.tables.TemplateTables;
import com.mimecastsentinel.tables.WorkspaceTables;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * {@code java -jar mimecast-sentinel.jar tables …}: prepares a workspace's existing tables for the ARM template,
 * whose table resources only a workspace without them may deploy (a table deployment is a PUT of the whole schema:
 * it deletes the columns it omits and cannot retype one). Compares every table the template declares with the
 * workspace's and, with {@code --apply}, makes the additions: creates, migrates classic tables, adds columns.
 * Authenticates as the connector does (the same environment and application.properties as a run).
 */
public final class TablesCommand {
    static final String USAGE = """
            usage: tables --workspace <workspace resource id> [--parameters <azuredeploy parameters file>] [--apply] [--json]
              Compares the workspace's tables with those the ARM template declares (deploy/azure/azuredeploy.json,
              else the jar's copy) and tells what each needs; --apply makes those changes. It only adds: it creates
              missing tables, migrates classic ones (HTTP Data Collector API) and adds missing columns; it never
              removes a column or changes a column's type.
              --workspace   /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/
                            workspaces/<name>; may be left out when the parameters file gives workspaceResourceId
              --parameters  the file given to az deployment group create --parameters @<file> (its table names)
              --apply       make the changes; without it nothing is changed
              --json        the report as one JSON document
              exit status: 0 every table ready; 1 changes pending, a conflict, a refusal or a failure; 2 usage or
              settings""";

    private static final ObjectMapper JSON = ConnectorConfiguration.jsonMapper()
            .enable(SerializationFeature.INDENT_OUTPUT);

    private TablesCommand() {
    }

    /** @return the exit status: 0 every table ready, 1 not ready or failed, 2 wrong usage or settings */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        return run(args, () -> azureSettings(Application.commandProperties(new DefaultCamelContext()),
                System::getenv), SchemaWait.DEFAULT, out, err);
    }

    /**
     * The settings of a run as far as Azure goes (identity, cloud, endpoints): this command comes before the DCRs a
     * run sends to exist, so the Mimecast settings, the sink and the checkpoint store are left out rather than
     * required.
     */
    public static Settings azureSettings(Function<String, Optional<String>> properties, Function<String, String> environment) {
        return new Settings(key -> key.startsWith("mimecast.") ? Optional.empty()
                : key.equals("sink") || key.equals("checkpoint.store") ? Optional.of("file") : properties.apply(key),
                name -> name.startsWith("MIMECAST_") ? null : environment.apply(name));
    }

    /** With given settings and wait (tests). */
    public static int run(List<String> args, Settings settings, SchemaWait wait, PrintStream out, PrintStream err) {
        return run(args, () -> settings, wait, out, err);
    }

    private static int run(List<String> args, Supplier<Settings> settings, SchemaWait wait, PrintStream out,
            PrintStream err) {
        Options options;
        List<DesiredTable> desired;
        TemplateTables.Template template;
        try {
            options = Options.parse(args);
            if (options == null) {
                out.println(USAGE);
                return 0;
            }
            template = TemplateTables.load();
            desired = TemplateTables.read(template.json(), options.parameters.values());
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (RuntimeException e) {
            err.println("tables failed: " + e.getMessage());
            return 1;
        }
        try {
            TablesApi api = TablesApi.create(settings.get(), options.workspace);
            TablesReport report = new WorkspaceTables(api, wait).run(desired, template.source(), options.apply);
            out.print(options.json ? JSON.writeValueAsString(report) + System.lineSeparator() : report.text());
            return report.exitStatus();
        } catch (ConfigurationException e) {
            err.println(e.getMessage());
            return 2;
        } catch (JsonProcessingException | RuntimeException e) {
            err.println("tables failed: " + Secrets.mask(String.valueOf(e.getMessage())));
            return 1;
        }
    }

    private record Options(String workspace, DeploymentParameters parameters, boolean apply, boolean json) {

        /** @return null for --help; @throws IllegalArgumentException for wrong usage */
        static Options parse(List<String> args) {
            String workspace = null;
            Path parametersFile = null;
            boolean apply = false;
            boolean json = false;
            for (int i = 1; i < args.size(); i++) {
                String arg = args.get(i);
                switch (arg) {
                    case "--help", "-h" -> {
                        return null;
                    }
                    case "--apply" -> apply = true;
                    case "--json" -> json = true;
                    case "--workspace", "--parameters" -> {
                        if (i + 1 == args.size() || args.get(i + 1).startsWith("--")) {
                            throw new IllegalArgumentException(arg + " needs a value");
                        }
                        if (arg.equals("--workspace") ? workspace != null : parametersFile != null) {
                            throw new IllegalArgumentException(arg + " is given twice");
                        }
                        if (arg.equals("--workspace")) {
                            workspace = TablesApi.workspaceId(args.get(++i));
                        } else {
                            parametersFile = Path.of(args.get(++i));
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
                }
            }
            DeploymentParameters parameters = parametersFile == null ? DeploymentParameters.NONE
                    : DeploymentParameters.read(parametersFile);
            String fromFile = parameters.workspaceResourceId().map(TablesApi::workspaceId).orElse(null);
            if (workspace != null && fromFile != null && !workspace.equalsIgnoreCase(fromFile)) {
                // two workspaces named: preparing the wrong one would be worse than asking
                throw new IllegalArgumentException("--workspace and workspaceResourceId of " + parametersFile
                        + " name different workspaces");
            }
            if (workspace == null && fromFile == null) {
                throw new IllegalArgumentException("no workspace: give --workspace, or --parameters with a file "
                        + "that sets workspaceResourceId");
            }
            return new Options(workspace != null ? workspace : fromFile, parameters, apply, json);
        }
    }
}
