// Key Vault for the app's secrets (RBAC only: no access policies). Secrets are written here only when
// a value is given at deployment; otherwise the operator sets them with `az keyvault secret set`, and
// a later deployment without the value leaves them alone (see docs/deploy.md).
param name string
param location string
param tags object

@description('Purge protection cannot be turned off once on; while on, `azd down --purge` cannot purge the vault.')
param enablePurgeProtection bool

@description('Secret name -> value. Empty values are skipped.')
@secure()
param secretValues object

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // The service rejects `false`: omit the property to leave purge protection off.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource secrets 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = [for secret in items(secretValues): if (!empty(secret.value)) {
  parent: vault
  name: secret.key
  properties: {
    value: secret.value
    contentType: 'text/plain'
  }
}]

output name string = vault.name
