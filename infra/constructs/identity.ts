import { Aws, Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib'
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  LambdaVersion,
  Mfa,
  OAuthScope,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito'
import type { IFunction } from 'aws-cdk-lib/aws-lambda'
import { Construct } from 'constructs'
import { signInCallbackUrl, signOutReturnUrl } from '../../functions/web/lib/cognito'
import { CUSTOM_ATTRIBUTES, type CustomAttribute } from '../../shared/platform/custom-attributes'

/** Roles are Cognito groups; the API reads them from the `cognito:groups` claim. */
export const USER_GROUPS = ['admin', 'editor'] as const

export interface IdentityProps {
  stage: string
  /** Production: the pool is retained and deletion-protected. */
  retainData: boolean
  removalPolicy: RemovalPolicy
  /** Prefix of the hosted sign-in domain; default `fundfinder-<stage>-<account>`. */
  domainPrefix?: string | undefined
  /**
   * Origins the web pages are served on (the API's own URL, custom domains). Each gets the sign-in
   * callback and the sign-out return exactly as the pages build them from the request's origin.
   */
  webOrigins: readonly string[]
  extraCallbackUrls: readonly string[]
  /** Copies the custom attributes into access tokens (functions/pre-token-generation). */
  preTokenGeneration: IFunction
}

/**
 * Who may change the catalogue: a Cognito user pool (no self sign-up, mandatory TOTP MFA), groups
 * for the roles, the custom attributes `custom:org` and `custom:countries` that only admins can set
 * (the web client may read them, never write them), the hosted sign-in domain, and the web pages'
 * public client (authorization code with PKCE).
 */
export class Identity extends Construct {
  readonly userPool: UserPool
  readonly webClient: UserPoolClient
  readonly signInDomain: UserPoolDomain

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id)
    const customAttributeNames = Object.keys(CUSTOM_ATTRIBUTES) as CustomAttribute[]
    this.userPool = new UserPool(this, 'Users', {
      userPoolName: `fundfinder-${props.stage}`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Every account can change the catalogue, so a stolen password alone must not be enough.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Essentials (not Lite): needed for the V2 pre-token-generation event that customises access tokens.
      featurePlan: FeaturePlan.ESSENTIALS,
      customAttributes: Object.fromEntries(
        customAttributeNames.map((name) => [
          name,
          new StringAttribute({ minLen: 1, maxLen: CUSTOM_ATTRIBUTES[name].maxLength, mutable: true }),
        ]),
      ),
      deletionProtection: props.retainData,
      removalPolicy: props.removalPolicy,
    })
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus feature plan (threat protection) is billed per active user; the accounts are a handful of invited editors and admins, with mandatory TOTP MFA, a 14-character password policy and no self sign-up.',
    })
    this.userPool.addTrigger(
      UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      props.preTokenGeneration,
      LambdaVersion.V2_0,
    )
    for (const groupName of USER_GROUPS) {
      this.userPool.addGroup(`${groupName}Group`, {
        groupName,
        description:
          groupName === 'admin' ? 'Delete, archive, restore, audit log' : 'Create and update instruments',
      })
    }
    this.signInDomain = this.userPool.addDomain('SignIn', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? `fundfinder-${props.stage}-${Aws.ACCOUNT_ID}` },
    })

    this.webClient = this.userPool.addClient('WebClient', {
      userPoolClientName: 'fundfinder-web',
      // A public client (pages in a browser): authorization code with PKCE, no client secret.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [...props.webOrigins.map(signInCallbackUrl), ...props.extraCallbackUrls],
        logoutUrls: props.webOrigins.map(signOutReturnUrl),
      },
      // Users read their custom attributes (they are in the ID token) but only admins set them
      // (AdminUpdateUserAttributes): without an explicit list a client may write every attribute.
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes(...customAttributeNames),
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    })
  }
}
