/** The claims of an access token (JWT). */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
}
