package org.humpback.registry;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.stream.Stream;
import org.humpback.registry.db.LocalPostgres;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * A test that runs once on SQLite and once on PostgreSQL ({@code [sqlite]}, {@code [postgresql]}).
 * The test method and its {@code @BeforeEach}/{@code @AfterEach} methods may take a
 * {@link TestBackend} parameter: {@code @BeforeEach void open(TestBackend backend) { db = backend.open(dir); }}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(OnBothBackends.Invocations.class)
public @interface OnBothBackends {

  /** One invocation per backend, each resolving {@link TestBackend} parameters to its backend. */
  final class Invocations implements TestTemplateInvocationContextProvider {

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
      return true;
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
      return Stream.of(TestBackend.values()).map(Invocations::on);
    }

    private static TestTemplateInvocationContext on(TestBackend backend) {
      return new TestTemplateInvocationContext() {
        @Override
        public String getDisplayName(int invocationIndex) {
          return "[" + backend + "]";
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
          // Without PostgreSQL the [postgresql] run is skipped before @BeforeEach, with the reason.
          ExecutionCondition available = e -> backend != TestBackend.POSTGRESQL || LocalPostgres.findBinaries().isPresent()
              ? ConditionEvaluationResult.enabled("")
              : ConditionEvaluationResult.disabled("PostgreSQL tests skipped: " + LocalPostgres.whereLooked());
          return List.of(available, new ParameterResolver() {
            @Override
            public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
              return p.getParameter().getType() == TestBackend.class;
            }

            @Override
            public Object resolveParameter(ParameterContext p, ExtensionContext e) {
              return backend;
            }
          });
        }
      };
    }
  }
}
