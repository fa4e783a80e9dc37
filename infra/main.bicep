// Engage in Azure: one resource group with a Flex Consumption function app, its storage, Key Vault,
// monitoring and a poison-queue alert. Deployed by `azd up` (see docs/deploy.md); compiled and linted
// offline by infra/validate.sh.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds the resource names.')
param environmentName string

@minLength(1)
@description('Region of every resource. Flex Consumption is not offered everywhere: `az functionapp list-flexconsumption-locations`.')
@metadata({ azd: { type: 'location' } })
param location string

@minLength(3)
@description('Sender address of the weekly digest (Email__From).')
param emailFrom string

@allowed(['sendgrid', 'pickup'])
@description('Email__Provider. In Azure only sendgrid delivers mail.')
param emailProvider string = 'sendgrid'

@description('Address that receives the poison-queue alert. Empty: the alert fires without notifying anyone.')
param alertEmail string = ''

@description('Key Vault purge protection. Irreversible; while on, `azd down --purge` cannot purge the vault. Recommended for production.')
param enableKeyVaultPurgeProtection bool = false

@description('Daily ingestion cap of the Log Analytics workspace in GB (-1: no cap). Data over the cap is dropped until the next day.')
param logDailyQuotaGb int = -1

@description('NCRONTAB of the score projection (Scores__Schedule).')
param scoresSchedule string = '0 */5 * * * *'

@description('NCRONTAB of the weekly digest (Digest__Schedule), in UTC.')
param digestSchedule string = '0 0 8 * * 1'

@minValue(1)
@description('Scoring__HalfLifeDays.')
param halfLifeDays int = 30

@description('Scoring__BroadcastWeight: multiplies broadcast rows in engagement scores (a decimal number; 0 = broadcasting earns nothing).')
param broadcastWeight string = '0'

// Secrets: each is written to Key Vault only when given. Leave them empty and set them with
// `az keyvault secret set` instead; an empty value never overwrites what is in the vault.
@secure()
@description('GitHub webhook secret (Key Vault secret sources-github-secret).')
param githubWebhookSecret string = ''

@secure()
@description('Slack signing secret (sources-slack-signingsecret).')
param slackSigningSecret string = ''

@secure()
@description('X consumer secret (sources-x-consumersecret).')
param xConsumerSecret string = ''

@secure()
@description('Discourse webhook secret (sources-discourse-secret).')
param discourseWebhookSecret string = ''

@secure()
@description('Mastodon webhook secret (sources-mastodon-secret).')
param mastodonWebhookSecret string = ''

@secure()
@description('Standard Webhooks secret(s), comma separated (sources-standard-secret).')
param standardWebhookSecret string = ''

@secure()
@description('SendGrid API key (email-apikey).')
param emailApiKey string = ''

@secure()
@description('Key that signs unsubscribe links (unsubscribe-signingkey).')
param unsubscribeSigningKey string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var secretNames = loadJsonContent('app/secret-names.json')
var deploymentContainerName = 'app-package'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  scope: rg
  params: {
    name: 'id-api-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module monitoring 'app/monitoring.bicep' = {
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
    dailyQuotaGb: logDailyQuotaGb
  }
}

module keyVault 'app/keyvault.bicep' = {
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    enablePurgeProtection: enableKeyVaultPurgeProtection
    secretValues: {
      '${secretNames.githubSecret}': githubWebhookSecret
      '${secretNames.slackSigningSecret}': slackSigningSecret
      '${secretNames.xConsumerSecret}': xConsumerSecret
      '${secretNames.discourseSecret}': discourseWebhookSecret
      '${secretNames.mastodonSecret}': mastodonWebhookSecret
      '${secretNames.standardSecret}': standardWebhookSecret
      '${secretNames.emailApiKey}': emailApiKey
      '${secretNames.unsubscribeSigningKey}': unsubscribeSigningKey
    }
  }
}

module rbac 'app/rbac.bicep' = {
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module api 'app/api.bicep' = {
  scope: rg
  params: {
    planName: 'plan-${resourceToken}'
    appName: 'func-api-${resourceToken}'
    location: location
    tags: tags
    identityName: identity.outputs.name
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    emailProvider: emailProvider
    emailFrom: emailFrom
    scoresSchedule: scoresSchedule
    digestSchedule: digestSchedule
    halfLifeDays: halfLifeDays
    broadcastWeight: broadcastWeight
  }
  // The app must not start before its identity can read storage and the vault.
  dependsOn: [rbac]
}

module alerts 'app/alerts.bicep' = {
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    actionGroupName: 'ag-${resourceToken}'
    alertEmail: alertEmail
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
