// Readiness probe for the local Kafka node of deploy/local/stack: a real metadata round trip
// (describe cluster + list topics) through Kafka's own Admin client. Exit 0 when the broker answers.
// Usage: java -cp "<kafka libs>/*:<dir>" KafkaProbe 127.0.0.1:19092 [timeout-ms]

import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;

public final class KafkaProbe {
    public static void main(String[] args) {
        String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:19092";
        int timeoutMs = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        try (Admin admin = Admin.create(props)) {
            var nodes = admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
            Set<String> topics = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            StringBuilder line = new StringBuilder("brokers=");
            for (Node node : nodes) {
                line.append(node.host()).append(':').append(node.port()).append(' ');
            }
            line.append("topics=").append(topics.size());
            System.out.println(line);
        } catch (Exception e) {
            System.err.println("kafka not ready at " + bootstrap + ": " + e);
            System.exit(1);
        }
    }
}
