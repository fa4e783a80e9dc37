// Alert when the Functions host moves a message to a poison queue (after host.json maxDequeueCount
// failed attempts). The host logs, from the queue extension:
//   "Message has reached MaxDequeueCount of 5. Moving message to queue 'interactions-poison'."
param location string
param tags object
param applicationInsightsId string
param actionGroupName string

@description('Who gets the alert mail; empty: the alert fires with no notification (visible in the portal).')
param alertEmail string

var poisonQuery = '''
traces
| where message has "Moving message to queue"
| extend queue = extract(@"Moving message to queue '([^']+)'", 1, message)
| where queue endswith "-poison"
'''

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'engage'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource poisonAlert 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'poison-messages'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Engage: message moved to a poison queue'
    description: 'A queue message failed every attempt and was moved to interactions-poison or digests-poison. Inspect it, fix the cause, then move it back (see docs/deploy.md).'
    severity: 2
    enabled: true
    scopes: [applicationInsightsId]
    // Telemetry arrives a few minutes late, so each run looks back 15 minutes; muting for 15 minutes
    // after a notification keeps the overlapping windows from mailing the same message three times.
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: false
    muteActionsDuration: 'PT15M'
    criteria: {
      allOf: [
        {
          query: poisonQuery
          timeAggregation: 'Count'
          dimensions: [
            {
              name: 'queue'
              operator: 'Include'
              values: ['*']
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: empty(alertEmail) ? [] : [actionGroup.id]
    }
  }
}
