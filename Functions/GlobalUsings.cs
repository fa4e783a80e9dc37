// What every HTTP function file reads: the request, the typed results and the worker's attributes.
global using Microsoft.AspNetCore.Http;
global using Microsoft.AspNetCore.Http.HttpResults;
global using Microsoft.Azure.Functions.Worker;
