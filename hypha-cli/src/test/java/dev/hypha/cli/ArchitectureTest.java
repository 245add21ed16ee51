package dev.hypha.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/ARCHITECTURE.md's map true: dependencies point down (cli → node → chain, ml → core), areas of the node
 * do not know the CLI, the HTTP server knows no area, and no two packages depend on each other in a cycle.
 * Maven already stops a module from importing one above it; these rules also hold inside each module.
 */
class ArchitectureTest {

    private static JavaClasses hypha;

    @BeforeAll
    static void importClasses() {
        hypha = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.hypha");
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.hypha.(**)").should().beFreeOfCycles().check(hypha);
    }

    @Test
    void coreDependsOnNoOtherModule() {
        noClasses().that().resideInAPackage("dev.hypha.core..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hypha.chain..", "dev.hypha.ml..", "dev.hypha.node..",
                        "dev.hypha.cli..")
                .check(hypha);
    }

    @Test
    void chainAndMlDoNotKnowEachOtherOrTheLayersAbove() {
        noClasses().that().resideInAPackage("dev.hypha.chain..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hypha.ml..", "dev.hypha.node..", "dev.hypha.cli..")
                .check(hypha);
        noClasses().that().resideInAPackage("dev.hypha.ml..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hypha.chain..", "dev.hypha.node..", "dev.hypha.cli..")
                .check(hypha);
    }

    @Test
    void incentivesDependOnlyOnCore() {
        noClasses().that().resideInAPackage("dev.hypha.incentives..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hypha.chain..", "dev.hypha.ml..", "dev.hypha.node..",
                        "dev.hypha.cli..")
                .check(hypha);
    }

    @Test
    void zkDependsOnlyOnCore() {
        noClasses().that().resideInAPackage("dev.hypha.zk..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.hypha.chain..", "dev.hypha.ml..", "dev.hypha.node..",
                        "dev.hypha.incentives..", "dev.hypha.cli..")
                .check(hypha);
    }

    @Test
    void theNodeDoesNotKnowTheCli() {
        noClasses().that().resideInAPackage("dev.hypha.node..")
                .should().dependOnClassesThat().resideInAPackage("dev.hypha.cli..")
                .check(hypha);
    }

    @Test
    void theHttpServerKnowsNoArea() {
        // Jetty and javax.net.ssl: the optional HTTPS connector (Javalin runs on Jetty); still no area.
        classes().that().resideInAPackage("dev.hypha.node.http..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.hypha.node.http..", "dev.hypha.core..",
                        "java..", "io.javalin..", "org.eclipse.jetty..", "javax.net.ssl..")
                .check(hypha);
    }
}
