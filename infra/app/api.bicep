// Flex Consumption plan + function app. Storage, Key Vault references and telemetry all go through the
// user-assigned identity: no connection string, account key or instrumentation key appears in a setting.
param planName string
param appName string
param location string
param tags object
param identityName string
param storageAccountName string
param deploymentContainerName string
param keyVaultName string
param applicationInsightsName string

@allowed(['sendgrid', 'pickup'])
param emailProvider string
param emailFrom string
param scoresSchedule string
param digestSchedule string
param halfLifeDays int
@description('Scoring__BroadcastWeight: a decimal number, 0 by default (broadcasting earns nothing).')
param broadcastWeight string

@description('Flex Consumption instance size.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048
param maximumInstanceCount int = 100

var secretNames = loadJsonContent('secret-names.json')

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }

  // Setting names follow docs/architecture.md ("Configuration").
  resource appSettings 'config' = {
    name: 'appsettings'
    properties: {
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.properties.clientId
      AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
      AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
      AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
      // The connection string only names the ingestion endpoint: with DisableLocalAuth the resource
      // accepts telemetry only with an Entra token of the identity below.
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
      Sources__GitHub__Secret: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${secretNames.githubSecret})'
      Sources__Slack__SigningSecret: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${secretNames.slackSigningSecret})'
      Sources__X__ConsumerSecret: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${secretNames.xConsumerSecret})'
      Sources__Discourse__Secret: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${secretNames.discourseSecret})'
      Sources__Mastodon__Secret: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${secretNames.mastodonSecret})'
      Sources__Standard__Secret: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${secretNames.standardSecret})'
      Email__Provider: emailProvider
      Email__From: emailFrom
      Email__ApiKey: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${secretNames.emailApiKey})'
      Unsubscribe__SigningKey: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${secretNames.unsubscribeSigningKey})'
      Scores__Schedule: scoresSchedule
      Digest__Schedule: digestSchedule
      // Unsubscribe links in digest mails point back at the app.
      Digest__PublicBaseUrl: 'https://${app.properties.defaultHostName}'
      Scoring__HalfLifeDays: string(halfLifeDays)
      Scoring__BroadcastWeight: broadcastWeight
    }
  }
}

// Publishing with FTP or basic-auth Kudu credentials is off; azd deploys with Entra tokens.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

output name string = app.name
output uri string = 'https://${app.properties.defaultHostName}'
