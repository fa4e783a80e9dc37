// Storage for the Functions host and for Engage's data. Identity only: shared keys are disabled.
param name string
param location string
param tags object

@description('Blob container Flex Consumption deploys the app package to.')
param deploymentContainerName string

var containers = [deploymentContainerName, 'webhooks']
var tables = ['facts', 'items', 'scores', 'community', 'subscriptions', 'digests', 'archiveusers', 'archiveindex', 'imports', 'people', 'identities', 'profiles', 'replies', 'erasures', 'arrivals']
// Poison queues are created up front so the alert and operators can find them before the first failure.
var queues = ['interactions', 'interactions-poison', 'digests', 'digests-poison', 'imports', 'imports-poison']

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'
    resource container 'containers' = [for container in containers: {
      name: container
      properties: { publicAccess: 'None' }
    }]
  }

  resource tableService 'tableServices' = {
    name: 'default'
    resource table 'tables' = [for table in tables: {
      name: table
    }]
  }

  resource queueService 'queueServices' = {
    name: 'default'
    resource queue 'queues' = [for queue in queues: {
      name: queue
    }]
  }
}

output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
